"""What a search asks the index for."""

from gpcloud.portal.text import query_terms


def test_words_not_syntax():
    assert query_terms('"; DROP TABLE notice; --') == ["drop", "table", "notice"]
    assert query_terms("消防车 OR 1=1*") == ["消防车", "or"]


def test_single_characters_split_off_a_word_are_dropped_when_words_remain():
    assert query_terms("梅江市审计服务") == ["梅江", "审计", "服务"]
    assert query_terms("车") == ["车"]
