package store

import "sync"

// Default IAM quotas, as GetAccountSummary reports them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html;
// sizes in characters without white space). The lab enforces those it
// models: access keys per user, managed policies per entity and the inline
// policy sizes.
var summaryQuotas = sync.OnceValue(func() map[string]int {
	return map[string]int{
		"UsersQuota":                      5000,
		"GroupsQuota":                     300,
		"RolesQuota":                      1000,
		"PoliciesQuota":                   1500,
		"InstanceProfilesQuota":           1000,
		"ServerCertificatesQuota":         20,
		"PolicySizeQuota":                 6144,
		"UserPolicySizeQuota":             2048,
		"GroupPolicySizeQuota":            5120,
		"RolePolicySizeQuota":             10240,
		"AssumeRolePolicySizeQuota":       2048,
		"VersionsPerPolicyQuota":          5,
		"PolicyVersionsInUseQuota":        10000,
		"GroupsPerUserQuota":              10,
		"AccessKeysPerUserQuota":          MaxAccessKeysPerUser,
		"SigningCertificatesPerUserQuota": 2,
		"AttachedPoliciesPerUserQuota":    MaxManagedPoliciesPerEntity,
		"AttachedPoliciesPerGroupQuota":   MaxManagedPoliciesPerEntity,
		"AttachedPoliciesPerRoleQuota":    MaxManagedPoliciesPerEntity,
		"GlobalEndpointTokenVersion":      1,
	}
})

// summaryFixed are the usage entries of what the lab does not model
// (instance profiles, server and signing certificates, identity
// providers, the root user's MFA device) and AccountPasswordPresent: the
// lab's account is a standalone account, created with a root password.
var summaryFixed = sync.OnceValue(func() map[string]int {
	return map[string]int{
		"InstanceProfiles":                  0,
		"ServerCertificates":                0,
		"Providers":                         0,
		"AccountSigningCertificatesPresent": 0,
		"AccountMFAEnabled":                 0,
		"AccountPasswordPresent":            1,
	}
})

// summaryCounts are the usage entries counted in the state. MFADevices
// counts every virtual device, assigned or not; MFADevicesInUse those
// assigned to a user; AccountAccessKeysPresent is 1 when the root user has
// an access key; PolicyVersionsInUse counts the versions of customer
// managed policies.
var summaryCounts = []struct{ key, query string }{
	{"Users", `SELECT COUNT(*) FROM users`},
	{"Groups", `SELECT COUNT(*) FROM groups`},
	{"Roles", `SELECT COUNT(*) FROM roles`},
	{"Policies", `SELECT COUNT(*) FROM policies WHERE aws_managed = 0`},
	{"PolicyVersionsInUse", `SELECT COUNT(*) FROM policy_versions v JOIN policies p ON p.arn = v.policy_arn WHERE p.aws_managed = 0`},
	{"MFADevices", `SELECT COUNT(*) FROM mfa_devices`},
	{"MFADevicesInUse", `SELECT COUNT(*) FROM mfa_devices WHERE user_id IS NOT NULL`},
	{"AccountAccessKeysPresent", `SELECT COUNT(*) > 0 FROM access_keys WHERE user_id IS NULL`},
}

// AccountSummary returns GetAccountSummary's SummaryMap: the account's
// entity counts and IAM's default quotas.
func (s *Store) AccountSummary() (map[string]int, error) {
	out := make(map[string]int, len(summaryQuotas())+len(summaryFixed())+len(summaryCounts))
	for _, m := range []map[string]int{summaryQuotas(), summaryFixed()} {
		for k, v := range m {
			out[k] = v
		}
	}
	for _, c := range summaryCounts {
		var n int
		if err := s.db.QueryRow(c.query).Scan(&n); err != nil {
			return nil, err
		}
		out[c.key] = n
	}
	return out, nil
}
