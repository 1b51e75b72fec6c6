"""`python -m paysim --merchant CODE --key k1:SECRET --port 8702 --db var/paysim.sqlite3`

Prints `READY port=N` once it listens (port 0 picks a free one).
"""

import argparse
import logging
import sys

from .server import NOTIFY_MODES, PaySim, serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m paysim", description="统一公共支付平台(沙箱)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8702)
    parser.add_argument("--db", default="var/paysim.sqlite3", help="its own SQLite file")
    parser.add_argument("--merchant", required=True, help="the merchant (收款单位) code the portal signs as")
    parser.add_argument("--key", action="append", required=True, metavar="ID:SECRET",
                        help="a shared key; repeat for two during a rotation; the last one signs notifications")
    parser.add_argument("--public-url", default="", help="the address citizens' browsers reach (pay pages)")
    parser.add_argument("--notify", choices=NOTIFY_MODES, default="normal")
    parser.add_argument("--notify-delay", type=float, default=0.0)
    parser.add_argument("--max-backoff", type=float, default=30.0)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s paysim %(levelname)s %(message)s")
    keys = dict(k.split(":", 1) for k in args.key)
    sim = PaySim(db=args.db, merchant=args.merchant, keys=keys, key_id=args.key[-1].split(":", 1)[0],
                 public_url=args.public_url, max_backoff=args.max_backoff)
    sim.notify, sim.notify_delay = args.notify, args.notify_delay
    try:
        serve(sim, host=args.host, port=args.port, ready=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
