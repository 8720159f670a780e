"""退换货 — returns and exchanges: the 三包 policy engine (``policy``) and its Django app.

This package module stays free of Django imports so the pure engine in
``aftersales.returns.policy`` can be used and tested without a settings module.
"""
