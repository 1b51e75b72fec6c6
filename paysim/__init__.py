"""The sandbox payment provider (统一公共支付平台 沙箱): its own program, port and SQLite file,
standard library only, speaking docs/payment-protocol.md. `python -m paysim --help`."""
