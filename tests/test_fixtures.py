"""The test databases: each test starts from a migrated copy and never sees another test's rows."""

import pytest


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_gets_a_fresh_copy_of_the_migrated_template(host, run):
    """Both runs copy the same template; the second must not see the customer of the first."""
    with host.session() as session:
        assert host.customers.page(session)[1] == 0
        created = host.customers.create(session, company=f"Kunde {run} GmbH")
        assert host.enabled_modules(session) == {"crm"}
    assert created.number == "K10000"
