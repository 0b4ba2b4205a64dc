// What each role may do in the UI. The API enforces the same rules (and the scope); the UI only
// hides what would be refused.
import type { Role } from '@/api/types'

export type Permission =
  | 'dashboard'
  | 'inventory.read'
  | 'inventory.write' // file open/change filings, upload evidence, withdraw
  | 'filings.read'
  | 'filings.decide' // approve / reject
  | 'imports'
  | 'audit'
  | 'inspections.manage'
  | 'inspections.read'
  | 'notices.manage'
  | 'rectification.work' // operator: my tasks, upload evidence
  | 'rectification.review'
  | 'admin'

const ALL: Permission[] = [
  'dashboard', 'inventory.read', 'inventory.write', 'filings.read', 'filings.decide', 'imports', 'audit',
  'inspections.manage', 'inspections.read', 'notices.manage', 'rectification.work', 'rectification.review', 'admin',
]

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ALL,
  supervisor: [
    'dashboard', 'inventory.read', 'inventory.write', 'filings.read', 'filings.decide', 'imports', 'audit',
    'inspections.manage', 'inspections.read', 'notices.manage', 'rectification.review',
  ],
  operator: ['dashboard', 'inventory.read', 'inventory.write', 'filings.read', 'inspections.read', 'rectification.work'],
  viewer: ['dashboard', 'inventory.read', 'filings.read', 'inspections.read'],
  integration: [],
  service: [],
}

export function roleCan(role: Role | null | undefined, permission: Permission): boolean {
  return !!role && ROLE_PERMISSIONS[role].includes(permission)
}
