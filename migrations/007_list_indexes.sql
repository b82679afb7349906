-- An MOU's whole feedback list (mou_id = ? ORDER BY id, read a page at a
-- time by keyset: AND id > ? … LIMIT ?) had only feedback_mou (mou_id,
-- status, id), which serves one status but made the unfiltered list sort
-- every item of the MOU for each read. This index serves it in id order.
CREATE INDEX feedback_mou_id ON feedback (mou_id, id);
