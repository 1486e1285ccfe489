-- Hand-written: the per-posting deferred balance check re-summed the whole entry once per
-- posting (quadratic in the entry's size: a 500-line revaluation entry summed 250,000 rows).
-- Now the first check of an entry in a transaction records the highest posting id it covered,
-- and later firings for postings up to that id skip. Postings added later (another statement
-- under SET CONSTRAINTS IMMEDIATE) have higher ids, so they are checked again.
CREATE OR REPLACE FUNCTION ledger_check_balanced_from_posting() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  marker text := 'ledger.checked_upto_' || replace(NEW.entry_id::text, '-', '');
  seen text := current_setting(marker, true);
BEGIN
  IF seen IS NOT NULL AND seen <> '' AND NEW.id <= seen::bigint THEN
    RETURN NULL;
  END IF;
  PERFORM ledger_assert_entry_balanced(NEW.entry_id);
  PERFORM set_config(marker, (SELECT max(id) FROM postings WHERE entry_id = NEW.entry_id)::text, true);
  RETURN NULL;
END
$$;
