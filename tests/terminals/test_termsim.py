"""The reference terminal agent (`python -m termsim`, its own process and port) holds the device's
private key and signs what its card reader and paper sensor report: the portal accepts it as the
terminal registered with the agent's public key, and nothing else."""

import pytest

from terminals import services
from terminals.models import CardSession, Terminal, TerminalRefusal
from tests.factories import PASSWORD, HallFactory, UserFactory
from tests.terminals.termsim_process import TermSimProcess


@pytest.mark.django_db(transaction=True)
def test_the_agent_signs_card_reads_and_heartbeats_the_portal_accepts(live_server, tmp_path):
    agent = TermSimProcess(db=tmp_path / "termsim.json", portal=live_server.url, terminal="QX-T01")
    public = agent.public_key()
    assert public == agent.public_key()  # one key pair, kept in its own file
    assert "private" not in public
    terminal = Terminal.objects.create(code="QX-T01", hall=HallFactory(), location="一楼", public_key=public)
    person = UserFactory(real_name="陈志明")
    services.set_pin(person, pin="258036", password=PASSWORD)
    agent.start()
    try:
        agent.wait_until(lambda: agent.stats()["beats"] >= 1, what="the first heartbeat")
        terminal.refresh_from_db()
        assert terminal.is_online() and terminal.paper == "ok"
        assert agent.control(paper="low")["status"] == 200
        terminal.refresh_from_db()
        assert terminal.paper == "low"

        answer = agent.insert(name=person.real_name, id_number=person.id_number)
        assert answer["status"] == 200 and answer["answer"]["state"] == "awaiting_pin"
        session = CardSession.objects.get()
        assert session.person == person and person.id_number not in str(agent.stats())
        assert agent.remove()["answer"]["state"] == "ended"
        session.refresh_from_db()
        assert session.end_reason == CardSession.EndReason.CARD_REMOVED

        Terminal.objects.filter(pk=terminal.pk).update(code="QX-T09")  # the portal no longer knows QX-T01
        refused = agent.insert(name=person.real_name, id_number=person.id_number)
        assert refused["status"] == 401 and refused["answer"]["code"] == "unknown_terminal"
        assert TerminalRefusal.objects.filter(terminal_code="QX-T01").exists()
    finally:
        agent.stop()
