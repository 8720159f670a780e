import pytest


@pytest.fixture(autouse=True)
def fresh_synonym_cache():
    """Synonym groups are cached per process; each test starts from its own database rows."""
    from aftersales.knowledge.search import forget_synonyms

    forget_synonyms()
    yield
    forget_synonyms()
