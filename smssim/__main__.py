"""`python -m smssim --account CODE --key s1:SECRET --port 8705 --db var/smssim.sqlite3`

Prints `READY port=N` once it listens (port 0 picks a free one).
"""

import argparse
import logging
import sys

from .server import RECEIPT_MODES, SmsSim, serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m smssim", description="短信平台(沙箱)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8705)
    parser.add_argument("--db", default="var/smssim.sqlite3", help="its own SQLite file")
    parser.add_argument("--account", required=True, help="the account (短信账号) the portal signs as")
    parser.add_argument(
        "--key",
        action="append",
        required=True,
        metavar="ID:SECRET",
        help="a shared key; repeat for two during a rotation; the last one signs receipts",
    )
    parser.add_argument("--receipt", choices=RECEIPT_MODES, default="normal")
    parser.add_argument("--deliver-delay", type=float, default=0.2, help="seconds from send to the handset")
    parser.add_argument("--fail", action="store_true", help="answer every send with 503 (the platform is failing)")
    parser.add_argument("--slow", type=float, default=0.0, help="seconds before answering a send")
    parser.add_argument("--max-backoff", type=float, default=30.0)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s smssim %(levelname)s %(message)s")
    keys = dict(k.split(":", 1) for k in args.key)
    sim = SmsSim(
        db=args.db, account=args.account, keys=keys, key_id=args.key[-1].split(":", 1)[0], max_backoff=args.max_backoff
    )
    sim.receipt, sim.deliver_delay, sim.fail, sim.slow = args.receipt, args.deliver_delay, args.fail, args.slow
    try:
        serve(sim, host=args.host, port=args.port, ready=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
