"""The rules of `desa validate`, one module per kind of file or concern; `rules` names every rule
with its severity, `model` is the shape of a BPMN file as the rules read it."""
