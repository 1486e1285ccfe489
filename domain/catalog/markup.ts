import type { SalesChannel } from '../ledger/chart';
import type { CatalogProductType, MarkupRule } from './model';

/**
 * Markup choice for products sold without a contracted sell rate.
 *
 * The most specific rule wins, in this order:
 *   1. the rule for this product type AND this channel;
 *   2. the rule for this product type, any channel (`channel` null);
 *   3. the rule for any product type (`productType` null), this channel;
 *   4. the catch-all rule (both null).
 * A product type beats a channel: "hotels earn 18 %" is a commercial decision about the product,
 * while a channel rule is a default for whatever that channel sells. With no matching rule the
 * result is null and pricing applies 0 %. Rules are keyed by (productType, channel) in the store
 * (primary key), so two rules never tie; should a list carry duplicates anyway, the first one in
 * list order wins, which keeps the choice deterministic.
 */
export function markupFor(rules: readonly MarkupRule[], productType: CatalogProductType, channel: SalesChannel): MarkupRule | null {
  let best: MarkupRule | null = null;
  let bestRank = 0;
  for (const rule of rules) {
    const rank = specificity(rule, productType, channel);
    if (rank > bestRank) {
      best = rule;
      bestRank = rank;
      if (rank === 4) break;
    }
  }
  return best;
}

/** 4 = (type, channel), 3 = (type, any), 2 = (any, channel), 1 = (any, any), 0 = does not apply. */
function specificity(rule: MarkupRule, productType: CatalogProductType, channel: SalesChannel): number {
  const typeMatches = rule.productType === productType;
  const channelMatches = rule.channel === channel;
  if (!typeMatches && rule.productType !== null) return 0;
  if (!channelMatches && rule.channel !== null) return 0;
  if (typeMatches) return channelMatches ? 4 : 3;
  return channelMatches ? 2 : 1;
}
