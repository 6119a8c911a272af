"""The example answers of one village (Lempur Mudik), one module per program step, in process
order; `data.FORM_EXAMPLES` joins them."""
