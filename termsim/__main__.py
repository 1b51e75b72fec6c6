"""`python -m termsim --portal http://127.0.0.1:8000 --terminal QX-T01 --db var/termsim.json --port 8704`

The device's key pair lives in the --db file (made on first start, private key never printed);
`--print-public-key` prints the public key the administrator registers, and exits. Otherwise it
prints `READY port=N` once it listens (port 0 picks a free one), beats every --beat-seconds, and
takes the reader's card and the paper state by control calls on its own port (loopback only):
`POST /_control/card/` {"name", "id_number"}, `POST /_control/card/remove`, `POST /_control/`
{"paper", "reader_ok"}, `POST /_control/beat`, `GET /_control/`; `GET /` is a small page doing
the same by hand for the demo.
"""

import argparse
import logging
import sys

from .server import Agent, serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m termsim", description="市民之窗自助终端代理(参考实现)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8704)
    parser.add_argument("--db", default="var/termsim.json", help="its own storage: the device's key pair")
    parser.add_argument("--portal", default="http://127.0.0.1:8000", help="the portal's address")
    parser.add_argument("--terminal", default="", help="the terminal's code as registered at the portal")
    parser.add_argument("--beat-seconds", type=float, default=30.0)
    parser.add_argument("--print-public-key", action="store_true", help="print the device's public key and exit")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s termsim %(levelname)s %(message)s")
    agent = Agent(db=args.db, portal=args.portal, terminal=args.terminal, beat_seconds=args.beat_seconds)
    if args.print_public_key:
        print(agent.public_key)
        return 0
    if not args.terminal:
        parser.error("--terminal is required to serve")
    try:
        serve(agent, host=args.host, port=args.port, ready=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
