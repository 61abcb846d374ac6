-- CreateTable
CREATE TABLE "brevo_rate_budgets" (
    "account_key" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "configured_limit" INTEGER NOT NULL,
    "capacity" INTEGER NOT NULL,
    "window_ms" INTEGER NOT NULL,
    "spent" BIGINT[],
    "blocked_until" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brevo_rate_budgets_pkey" PRIMARY KEY ("account_key","family")
);
