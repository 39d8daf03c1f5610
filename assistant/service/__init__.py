"""Customer service: orders (owner only), purchase history, problem orders, policies and hand-off."""
