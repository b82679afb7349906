-- Feedback records the party its raiser acted for, so the rule that only
-- that party may decline it reads the row in the deciding transaction
-- instead of looking up whoever holds the raiser's address today (an
-- account can move to another party, or be gone). Earlier rows take their
-- raiser's party as it is now; feedback moudesk itself raised has none.
ALTER TABLE feedback ADD COLUMN created_party TEXT NOT NULL DEFAULT '';
UPDATE feedback SET created_party = coalesce(
    (SELECT p.slug FROM users u JOIN parties p ON p.id = u.party_id WHERE u.email = feedback.created_by), '');
