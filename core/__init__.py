"""Platform pieces every Greenlane domain stands on: extensions, config, accounts, policy, audit."""
