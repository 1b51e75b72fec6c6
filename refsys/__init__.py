"""A reference department approval system (部门自建审批系统) and province catalog feed.

A separate program, not part of the portal: its own process, its own port, its own SQLite file,
the standard library only. It implements the exchange protocol from docs/exchange-protocol.md on
its own (no code shared with the portal), so a mismatch between the document and the portal
shows up in the tests. `refsys.common` holds what the other reference programs (`paysim`,
`smssim`) share with it: the signature check, the store, the HTTP answers and the command line.
Run it with `python -m refsys --help`.
"""
