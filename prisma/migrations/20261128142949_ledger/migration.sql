-- CreateEnum
CREATE TYPE "AccountType" AS ENUM ('ASSET', 'LIABILITY', 'EQUITY', 'REVENUE', 'EXPENSE');

-- CreateEnum
CREATE TYPE "PostingSide" AS ENUM ('DEBIT', 'CREDIT');

-- CreateEnum
CREATE TYPE "PeriodStatus" AS ENUM ('OPEN', 'CLOSED');

-- CreateTable
CREATE TABLE "ledger_accounts" (
    "id" UUID NOT NULL,
    "code" VARCHAR(160) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "type" "AccountType" NOT NULL,
    "currency" CHAR(3),
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounting_periods" (
    "id" UUID NOT NULL,
    "name" VARCHAR(32) NOT NULL,
    "starts_on" DATE NOT NULL,
    "ends_on" DATE NOT NULL,
    "status" "PeriodStatus" NOT NULL DEFAULT 'OPEN',
    "closed_at" TIMESTAMPTZ(3),
    "closed_by" VARCHAR(64),

    CONSTRAINT "accounting_periods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "journal_entries" (
    "id" UUID NOT NULL,
    "idempotency_key" VARCHAR(200) NOT NULL,
    "content_hash" CHAR(64) NOT NULL,
    "description" VARCHAR(500) NOT NULL,
    "accounting_date" DATE NOT NULL,
    "posted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reverses_id" UUID,

    CONSTRAINT "journal_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "postings" (
    "id" BIGSERIAL NOT NULL,
    "entry_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "side" "PostingSide" NOT NULL,
    "amount" DECIMAL(20,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,

    CONSTRAINT "postings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ledger_accounts_code_key" ON "ledger_accounts"("code");

-- CreateIndex
CREATE UNIQUE INDEX "accounting_periods_name_key" ON "accounting_periods"("name");

-- CreateIndex
CREATE INDEX "accounting_periods_starts_on_ends_on_idx" ON "accounting_periods"("starts_on", "ends_on");

-- CreateIndex
CREATE UNIQUE INDEX "journal_entries_idempotency_key_key" ON "journal_entries"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "journal_entries_reverses_id_key" ON "journal_entries"("reverses_id");

-- CreateIndex
CREATE INDEX "journal_entries_accounting_date_idx" ON "journal_entries"("accounting_date");

-- CreateIndex
CREATE INDEX "postings_entry_id_idx" ON "postings"("entry_id");

-- CreateIndex
CREATE INDEX "postings_account_id_currency_idx" ON "postings"("account_id", "currency");

-- AddForeignKey
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_reverses_id_fkey" FOREIGN KEY ("reverses_id") REFERENCES "journal_entries"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "postings" ADD CONSTRAINT "postings_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "journal_entries"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "postings" ADD CONSTRAINT "postings_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "ledger_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- ============================================================================================
-- Hand-written: the database itself keeps the ledger honest, whatever code talks to it.
-- (This script is sent whole, as one transaction: see runScriptsWhole in prisma.config.ts.)

ALTER TABLE "postings" ADD CONSTRAINT "postings_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "postings" ADD CONSTRAINT "postings_currency_iso4217" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_currency_iso4217" CHECK ("currency" IS NULL OR "currency" ~ '^[A-Z]{3}$');
ALTER TABLE "accounting_periods" ADD CONSTRAINT "accounting_periods_dates_ordered" CHECK ("ends_on" >= "starts_on");

-- Append-only: entries and postings are never changed or removed; a correction is a reversing entry.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger: % is append-only; % refused (post a reversing entry instead)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER "journal_entries_append_only" BEFORE UPDATE OR DELETE ON "journal_entries"
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER "journal_entries_no_truncate" BEFORE TRUNCATE ON "journal_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER "postings_append_only" BEFORE UPDATE OR DELETE ON "postings"
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER "postings_no_truncate" BEFORE TRUNCATE ON "postings"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- Nothing is posted into a closed period.
CREATE FUNCTION ledger_refuse_closed_period() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  closed_name text;
BEGIN
  SELECT name INTO closed_name FROM accounting_periods
   WHERE status = 'CLOSED' AND NEW.accounting_date BETWEEN starts_on AND ends_on
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger: accounting period % is closed; cannot post on %', closed_name, NEW.accounting_date
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "journal_entries_open_period" BEFORE INSERT ON "journal_entries"
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_closed_period();

-- A posting goes to an active account, in the account's currency when it has one.
CREATE FUNCTION ledger_check_posting_account() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  acct record;
BEGIN
  SELECT code, currency, is_active INTO acct FROM ledger_accounts WHERE id = NEW.account_id;
  IF NOT acct.is_active THEN
    RAISE EXCEPTION 'ledger: account % is inactive', acct.code USING ERRCODE = '23514';
  END IF;
  IF acct.currency IS NOT NULL AND acct.currency <> NEW.currency THEN
    RAISE EXCEPTION 'ledger: account % holds %, not %', acct.code, acct.currency, NEW.currency USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "postings_account_check" BEFORE INSERT ON "postings"
  FOR EACH ROW EXECUTE FUNCTION ledger_check_posting_account();

-- Every entry balances per currency and has at least two postings: checked at commit, once the
-- whole entry is written (deferred constraint triggers).
CREATE FUNCTION ledger_assert_entry_balanced(entry uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lines integer;
  off record;
BEGIN
  SELECT count(*) INTO lines FROM postings WHERE entry_id = entry;
  IF lines < 2 THEN
    RAISE EXCEPTION 'ledger: journal entry % has % posting(s); an entry needs at least two', entry, lines
      USING ERRCODE = '23514';
  END IF;
  SELECT currency, sum(CASE side WHEN 'DEBIT' THEN amount ELSE -amount END) AS difference INTO off
    FROM postings WHERE entry_id = entry
   GROUP BY currency
  HAVING sum(CASE side WHEN 'DEBIT' THEN amount ELSE -amount END) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger: journal entry % does not balance in %: debits - credits = %', entry, off.currency, off.difference
      USING ERRCODE = '23514';
  END IF;
END
$$;
CREATE FUNCTION ledger_check_balanced_from_posting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_assert_entry_balanced(NEW.entry_id);
  RETURN NULL;
END
$$;
CREATE FUNCTION ledger_check_balanced_from_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_assert_entry_balanced(NEW.id);
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER "postings_entry_balanced" AFTER INSERT ON "postings"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced_from_posting();
CREATE CONSTRAINT TRIGGER "journal_entries_have_postings" AFTER INSERT ON "journal_entries"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced_from_entry();
