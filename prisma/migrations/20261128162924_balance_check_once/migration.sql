-- Hand-written: the per-posting deferred balance check re-summed the whole entry once per
-- posting (quadratic in the entry's size: a 500-line revaluation entry summed 250,000 rows).
-- Now only the firing for the entry's last posting (highest id) runs the check; the others see,
-- through the (entry_id, id) index, that a later posting exists and stop. At commit every
-- posting is visible, so the last one's check covers the whole entry.
DROP INDEX IF EXISTS "postings_entry_id_idx";
CREATE INDEX "postings_entry_id_id_idx" ON "postings"("entry_id", "id");

CREATE OR REPLACE FUNCTION ledger_check_balanced_from_posting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM postings WHERE entry_id = NEW.entry_id AND id > NEW.id) THEN
    RETURN NULL;
  END IF;
  PERFORM ledger_assert_entry_balanced(NEW.entry_id);
  RETURN NULL;
END
$$;
