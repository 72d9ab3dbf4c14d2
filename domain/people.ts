/** What a gangway user may do: start and steer onboardings (staff), decide approvals (approver), or all (admin). */
export type Role = 'staff' | 'approver' | 'admin';
/** Which approval stage an approver takes: the account manager, or the technical account manager. */
export type ApproverKind = 'AM' | 'TECH_AM';
