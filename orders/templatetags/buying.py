"""Template helpers of the buying flow: the current buyer's URLs."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def buy_url(context, name: str, *args) -> str:
    """`{% buy_url "cart_add" product.pk %}`: the page `name` of the buyer in the context
    (the portal's, or the retailer's at its distributor); see orders.buyer.Buyer.url."""
    return context["buyer"].url(name, *args)
