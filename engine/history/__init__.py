"""The verifiable past of an instance: replay at any event (`replay`), chain and state checks
(`verify`), and the streamed exports (`export/`: CSV, XES, JSON Lines)."""
