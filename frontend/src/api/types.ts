// Short names for the generated schema types.
import type { components } from './registry'

type S = components['schemas']
export type Token = S['Token']
export type Role = S['Role']
export type SitePublic = S['SitePublic']
export type SiteDetail = S['SiteDetail']
export type SiteCreate = S['SiteCreate']
export type SiteKind = S['SiteKind']
export type SiteState = S['SiteState']
export type SiteColumnBase = S['SiteColumnBase']
export type HostSite = S['HostSite']
export type ColumnCategory = S['ColumnCategory']
export type AccountPublic = S['AccountPublic']
export type AccountCreate = S['AccountCreate']
export type AccountState = S['AccountState']
export type Platform = S['Platform']
export type FilingPublic = S['FilingPublic']
export type FilingDetail = S['FilingDetail']
export type FilingKind = S['FilingKind']
export type FilingState = S['FilingState']
export type FilingCreate = S['FilingCreate']
export type EvidenceKind = S['EvidenceKind']
export type EvidencePublic = S['EvidencePublic']
export type SubjectKind = S['SubjectKind']
export type OrgPublic = S['OrgPublic']
export type OrgKind = S['OrgKind']
export type OrgCreate = S['OrgCreate']
export type UserPublic = S['UserPublic']
export type UserCreate = S['UserCreate']
export type UserUpdate = S['UserUpdate']
export type ApiClientPublic = S['ApiClientPublic']
export type ApiClientCreate = S['ApiClientCreate']
export type ApiClientCreated = S['ApiClientCreated']
export type AuditLogPublic = S['AuditLogPublic']
export type ImportReport = S['ImportReport']

export interface ImportRowError {
  row: number
  column: string | null
  message: string
}
export interface RuleViolation {
  rule: string
  message: string
}
