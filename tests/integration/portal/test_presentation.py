"""How the portal shows amounts and who runs it (issue 21 item 9)."""

import re
from decimal import Decimal

from gpcloud.core.money import format_wan, format_yuan
from gpcloud.portal import demo as portal_demo


def test_amounts_read_as_people_write_them():
    assert format_yuan(Decimal("3990000.00")) == "3,990,000.00"
    assert format_yuan(Decimal("-5.00")) == "-5.00"
    assert format_wan(Decimal("3990000.00")) == "399.00"
    assert format_wan(Decimal("4380000.01")) == "438.000001"  # no fen lost
    assert format_wan(Decimal("123456789.00")) == "12,345.6789"


async def test_detail_pages_show_separators_and_wan_and_every_page_a_footer(client, demo):
    await portal_demo.seed()
    listing = (await client.get("/notices?kind=result&region=441400")).text
    link = listing.split('href="/notices/', 1)[1].split('"', 1)[0]
    detail = (await client.get(f"/notices/{link}")).text
    amounts = re.findall(r"<dt>金额</dt><dd>([^<]+)</dd>", detail)
    assert amounts, detail[:2000]
    assert re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2} 元（[0-9,]+\.[0-9]+ 万元）", amounts[0])
    assert not re.search(r"[0-9]{4,}\.[0-9]{2} 元", detail)  # no amount without separators
    for page in (detail, (await client.get("/")).text):
        footer = page.split("<footer>", 1)[1]
        assert "主办单位：广东省财政厅" in footer and "粤ICP备" in footer
        assert "400-183-2999" in footer


async def test_counties_can_be_chosen_and_the_home_page_links_the_region_tree(client):
    """Issue 21 item 10: the selector offered the province and cities only."""
    home = (await client.get("/")).text
    selector = home.split('<select name="region"', 1)[1].split("</select>", 1)[0]
    assert '<optgroup label="梅州市">' in selector
    assert '<option value="441481" >兴宁市</option>' in selector
    assert '<option value="441400" >梅州市（全市）</option>' in selector
    assert '<option value="440100" >广州市</option>' in selector  # a city without counties
    tree = home.split("<h2>地区</h2>", 1)[1].split("</section>", 1)[0]
    assert tree.count('href="/regions/') == 29  # every city and county of the tenants
    assert '<a href="/regions/441481">兴宁市</a>' in tree
    county = (await client.get("/notices?region=441481")).text
    assert '<option value="441481" selected>兴宁市</option>' in county
    page = await client.get("/regions/441481")
    assert page.status_code == 200 and "<h2>地区</h2>" not in page.text
