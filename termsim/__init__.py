"""termsim: a reference 市民之窗 terminal agent (issue 13), its own process and port. It holds the
device's Ed25519 private key, plays the ID-card reader and the receipt printer's paper sensor,
beats every 30 s and signs every report to the portal as docs/terminal-protocol.md says."""
