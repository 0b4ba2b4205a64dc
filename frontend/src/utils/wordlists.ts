// Word lists (错敏词库): one "kind" in the UI stands for the API's list (addition / whitelist) and,
// for additions, the category.
import type { BuiltinGroup, WordCategory, WordEntryCreate, WordEntryPublic, WordList } from '@/api/checkerTypes'
import type { WordKind } from '@/utils/checkerLabels'

/** The list/category query of a kind filter (nothing for "all"). */
export function wordKindQuery(kind: WordKind | '' | undefined): { list?: WordList; category?: WordCategory } {
  if (!kind) return {}
  return kind === 'whitelist' ? { list: 'whitelist' } : { list: 'addition', category: kind }
}

export function wordKindOf(entry: Pick<WordEntryPublic, 'list' | 'category'>): WordKind | null {
  return entry.list === 'whitelist' ? 'whitelist' : (entry.category ?? null)
}

/** Kinds whose entries name the correct form. */
export const takesSuggestion = (kind: WordKind): boolean => kind === 'typo' || kind === 'serious_error'

export interface WordEntryForm {
  kind: WordKind
  word: string
  suggestion: string
  note: string
  org_id: number | null
}

export function buildWordEntryBody(form: WordEntryForm): WordEntryCreate {
  const kind = form.kind
  return {
    list: kind === 'whitelist' ? 'whitelist' : 'addition',
    category: kind === 'whitelist' ? null : kind,
    word: form.word.trim(),
    suggestion: takesSuggestion(form.kind) ? form.suggestion.trim() || null : null,
    note: form.note.trim() || null,
    org_id: form.org_id ?? null,
  }
}

/** The groups (赌博, 机构名称变更 …) of the built-in lists within a category (all when none), largest first. */
export function builtinGroups(groups: BuiltinGroup[], category: WordCategory | '' | undefined): BuiltinGroup[] {
  return groups.filter((g) => !category || g.category === category).sort((a, b) => b.count - a.count)
}

/** Entries per category of the built-in lists. */
export function builtinCategoryCounts(groups: BuiltinGroup[]): Partial<Record<WordCategory, number>> {
  const counts: Partial<Record<WordCategory, number>> = {}
  for (const g of groups) counts[g.category] = (counts[g.category] ?? 0) + g.count
  return counts
}
