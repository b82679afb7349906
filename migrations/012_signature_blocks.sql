-- The signature block belongs to the revision (issue 15): who signs, with
-- which title, in which order, and the attest and "approved as to form"
-- lines are part of what the bodies review and approve, so a revision
-- stores its block and the content hash covers it.
--
-- * revisions.signatures_hash names the block's JSON, stored
--   content-addressed in section_bodies like every text: revisions that
--   share a block share one row. NULL for revisions stored before this
--   migration; their content hashes cover no block (mou.BlockMarkdown is
--   empty for none), so every stored hash still verifies, and they sign on
--   their template's block as before.
-- * signatories remembers the kind and name of the line an assignment was
--   made for, as it already did its title and order: an assignment stands
--   only while the current revision's line is still the same line.

ALTER TABLE revisions ADD COLUMN signatures_hash TEXT REFERENCES section_bodies (hash);

ALTER TABLE signatories ADD COLUMN kind TEXT NOT NULL DEFAULT 'signatory'
    CHECK (kind IN ('signatory', 'attest', 'approved_as_to_form'));
ALTER TABLE signatories ADD COLUMN name TEXT NOT NULL DEFAULT '';
