"""Report IP theft: public allegations, the reviewers' triage queue, and referrals to importers' records."""
