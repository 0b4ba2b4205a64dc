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
  | 'notices.read' // open and download the issued notices of the subtree and those naming it
  | 'rules.manage' // indicator sets and word lists (checker)
  | 'rectification.work' // operator: my tasks, upload evidence
  | 'rectification.review'
  | 'rectification.read' // the task list and pages of the subtree (everyone who reads)
  | 'selfreports.read'
  | 'selfreports.write' // operator: quarterly self-inspection reports
  | 'selfreports.review'
  | 'assessment.read'
  | 'assessment.manage' // weights of the annual assessment
  | 'notifications'
  | 'notifications.mark' // mark read (shared by the organisation: not viewers)
  | 'notifications.channels' // webhook / e-mail channels
  | 'admin'

const ALL: Permission[] = [
  'dashboard', 'inventory.read', 'inventory.write', 'filings.read', 'filings.decide', 'imports', 'audit',
  'inspections.manage', 'inspections.read', 'notices.manage', 'notices.read', 'rules.manage', 'rectification.work', 'rectification.review', 'admin',
  'rectification.read', 'selfreports.read', 'selfreports.write', 'selfreports.review', 'assessment.read',
  'assessment.manage', 'notifications', 'notifications.mark', 'notifications.channels',
]

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ALL,
  supervisor: [
    'dashboard', 'inventory.read', 'inventory.write', 'filings.read', 'filings.decide', 'imports', 'audit',
    'inspections.manage', 'inspections.read', 'notices.manage', 'notices.read', 'rules.manage', 'rectification.review',
    'rectification.read', 'selfreports.read', 'selfreports.review', 'assessment.read', 'assessment.manage',
    'notifications', 'notifications.mark', 'notifications.channels',
  ],
  operator: ['dashboard', 'inventory.read', 'inventory.write', 'filings.read', 'inspections.read', 'notices.read', 'rectification.work',
    'rectification.read', 'selfreports.read', 'selfreports.write', 'notifications', 'notifications.mark'],
  viewer: ['dashboard', 'inventory.read', 'filings.read', 'inspections.read', 'notices.read',
    'rectification.read', 'selfreports.read', 'assessment.read', 'notifications'],
  integration: [],
  service: [],
}

export function roleCan(role: Role | null | undefined, permission: Permission): boolean {
  return !!role && ROLE_PERMISSIONS[role].includes(permission)
}
