// Package eval decides IAM requests the way AWS does: it compiles policy
// documents (internal/policy) once and evaluates requests against the set of
// policies that govern them.
//
// Evaluation order (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
// an explicit Deny in any applicable policy wins; then every level of the
// resource control policies and of the service control policies must allow;
// then the resource-based policy and the identity side (identity-based
// policies intersected with the permissions boundary and the session policy)
// decide, as described on Strength and ResourceKind. Across accounts both
// sides must allow
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
// Role trust policies and KMS key policies must allow explicitly even within
// one account.
//
// Choices where the documentation is silent or ambiguous, each also noted
// where it is implemented:
//
//   - Principal "*" in a resource-based policy names the caller directly, so
//     within one account its Allow is not limited by a permissions boundary
//     or a session policy (as a grant to the session ARN would not be).
//   - A caller given as a role ARN (not a session) is treated as a session of
//     that role: a resource policy naming the role is a role-level grant.
//   - User and role names in Principal match ignoring path and case (IAM
//     resolves them to unique IDs); session names match exactly.
//   - The federated user behind a GetFederationToken session cannot be told
//     from its ARN, so a Principal naming that IAM user does not match it.
//   - A multivalued request key used without ForAllValues/ForAnyValue
//     matches nothing; a one-element list is a single value.
//   - With a set operator, IfExists does not change the result for a missing
//     key (ForAnyValue false, ForAllValues true).
//   - A request value that does not parse as the operator's type makes the
//     condition false, for negated operators too.
//   - A policy variable with no value (and no default) matches nothing.
//   - sts:GetCallerIdentity and sts:GetSessionToken cannot be denied by
//     policies; GetSessionToken needs long-term credentials; the root user
//     cannot call sts:AssumeRole.
//
// Decide is the allocation-free fast path; Evaluate explains: the deciding
// statements, statements that nearly applied, each condition's outcome and
// why, and each layer's verdict.
package eval
