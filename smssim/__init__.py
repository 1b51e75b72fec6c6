"""The reference SMS gateway (短信平台 沙箱): `python -m smssim` (smssim/server.py)."""
