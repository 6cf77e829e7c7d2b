"""VMI agreements: the terms under which a supplier keeps an item in a VMI location of ours."""
