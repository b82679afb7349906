-- The governing bodies' record is append-only, like revisions (002) and
-- signatures (005): a meeting, its outcome and roll call, an approval and
-- a stage change are printed on the certificate of completion and cited
-- by signatures, so none may change or vanish afterwards. An approval may
-- only be marked stale, once; nothing else about it changes.

CREATE TRIGGER meetings_no_update BEFORE UPDATE ON meetings
BEGIN
    SELECT RAISE(ABORT, 'meetings are append-only');
END;
CREATE TRIGGER meetings_no_delete BEFORE DELETE ON meetings
BEGIN
    SELECT RAISE(ABORT, 'meetings are append-only');
END;
CREATE TRIGGER meeting_outcomes_no_update BEFORE UPDATE ON meeting_outcomes
BEGIN
    SELECT RAISE(ABORT, 'meeting outcomes are append-only');
END;
CREATE TRIGGER meeting_outcomes_no_delete BEFORE DELETE ON meeting_outcomes
BEGIN
    SELECT RAISE(ABORT, 'meeting outcomes are append-only');
END;
CREATE TRIGGER meeting_votes_no_update BEFORE UPDATE ON meeting_votes
BEGIN
    SELECT RAISE(ABORT, 'votes are append-only');
END;
CREATE TRIGGER meeting_votes_no_delete BEFORE DELETE ON meeting_votes
BEGIN
    SELECT RAISE(ABORT, 'votes are append-only');
END;
CREATE TRIGGER stage_changes_no_update BEFORE UPDATE ON stage_changes
BEGIN
    SELECT RAISE(ABORT, 'stage changes are append-only');
END;
CREATE TRIGGER stage_changes_no_delete BEFORE DELETE ON stage_changes
BEGIN
    SELECT RAISE(ABORT, 'stage changes are append-only');
END;
CREATE TRIGGER approvals_only_go_stale BEFORE UPDATE ON approvals
WHEN OLD.stale_at IS NOT NULL OR NEW.stale_at IS NULL
    OR NEW.meeting_id IS NOT OLD.meeting_id OR NEW.mou_id IS NOT OLD.mou_id OR NEW.body IS NOT OLD.body
    OR NEW.content_hash IS NOT OLD.content_hash OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'an approval can only be marked stale, once');
END;
CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals
BEGIN
    SELECT RAISE(ABORT, 'approvals are append-only');
END;
