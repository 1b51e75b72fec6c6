"""`python -m smssim --account CODE --key s1:SECRET --port 8705 --db var/smssim.sqlite3`

Prints `READY port=N` once it listens (port 0 picks a free one).
"""

import sys

from refsys.common import keys_of, parser_for, run

from .server import RECEIPT_MODES, SmsSim, serve


def main(argv=None):
    parser = parser_for("python -m smssim", "短信平台(沙箱)", port=8705, db="var/smssim.sqlite3",
                        key_help="signs receipts")
    parser.add_argument("--account", required=True, help="the account (短信账号) the portal signs as")
    parser.add_argument("--receipt", choices=RECEIPT_MODES, default="normal")
    parser.add_argument("--deliver-delay", type=float, default=0.2, help="seconds from send to the handset")
    parser.add_argument("--fail", action="store_true", help="answer every send with 503 (the platform is failing)")
    parser.add_argument("--slow", type=float, default=0.0, help="seconds before answering a send")
    args = parser.parse_args(argv)
    keys, key_id = keys_of(args)
    sim = SmsSim(db=args.db, account=args.account, keys=keys, key_id=key_id, max_backoff=args.max_backoff)
    sim.receipt, sim.deliver_delay, sim.fail, sim.slow = args.receipt, args.deliver_delay, args.fail, args.slow
    return run("smssim", args, serve, sim)


if __name__ == "__main__":
    sys.exit(main())
