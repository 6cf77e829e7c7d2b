"""Call-offs: the buyer's consignment orders against VMI agreements, answered by the supplier."""
