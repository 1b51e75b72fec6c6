"""政民互动 can be found: a link on the home page's hero and in every page's footer (the citizen
menu is left as it is: one line at 1366 px, tests/browser/test_layout.py)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_and_the_footer_lead_to_civic(client):
    home = client.get("/").content.decode()
    hero = home[home.index('class="hero-links"'):]
    assert '<a href="/civic/">政民互动</a>' in hero[:hero.index("</div>")]
    guide = client.get("/guide/").content.decode()
    footer = guide[guide.index('class="site-footer"'):]
    assert '<a href="/civic/">政民互动</a>' in footer and '<a href="/market/">中介超市</a>' in footer
    nav = guide[guide.index('class="site-nav"'):guide.index("</nav>", guide.index('class="site-nav"'))] \
        if 'class="site-nav"' in guide else ""
    assert "政民互动" not in nav
    assert client.get("/civic/").status_code == 200
