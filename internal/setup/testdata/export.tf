# IAM resources of an awsmfa setup file (awsmfa setup plan --format terraform).

resource "aws_iam_policy" "policy_awsmfa_require_mfa_max_age_43200" {
  name = "awsmfa-require-mfa-max-age-43200"
  path = "/"
  policy = <<-EOT
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowListActions",
                "Effect": "Allow",
                "Action": [
                    "iam:ListUsers",
                    "iam:ListVirtualMFADevices"
                ],
                "Resource": "*"
            },
            {
                "Sid": "AllowUserToCreateVirtualMFADevice",
                "Effect": "Allow",
                "Action": "iam:CreateVirtualMFADevice",
                "Resource": "arn:aws:iam::*:mfa/*"
            },
            {
                "Sid": "AllowUserToManageTheirOwnMFA",
                "Effect": "Allow",
                "Action": [
                    "iam:EnableMFADevice",
                    "iam:GetMFADevice",
                    "iam:GetUser",
                    "iam:ListMFADevices",
                    "iam:ResyncMFADevice"
                ],
                "Resource": "arn:aws:iam::*:user/$${aws:username}"
            },
            {
                "Sid": "AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA",
                "Effect": "Allow",
                "Action": "iam:DeactivateMFADevice",
                "Resource": "arn:aws:iam::*:user/$${aws:username}",
                "Condition": {
                    "Bool": {
                        "aws:MultiFactorAuthPresent": "true"
                    }
                }
            },
            {
                "Sid": "BlockMostAccessUnlessSignedInWithMFA",
                "Effect": "Deny",
                "NotAction": [
                    "iam:ChangePassword",
                    "iam:CreateVirtualMFADevice",
                    "iam:EnableMFADevice",
                    "iam:GetAccountPasswordPolicy",
                    "iam:GetMFADevice",
                    "iam:GetUser",
                    "iam:ListMFADevices",
                    "iam:ListUsers",
                    "iam:ListVirtualMFADevices",
                    "iam:ResyncMFADevice",
                    "sts:GetSessionToken"
                ],
                "Resource": "*",
                "Condition": {
                    "BoolIfExists": {
                        "aws:MultiFactorAuthPresent": "false",
                        "aws:ViaAWSService": "false"
                    }
                }
            },
            {
                "Sid": "BlockMostAccessWhenMFAIsOlderThan43200Seconds",
                "Effect": "Deny",
                "NotAction": [
                    "iam:ChangePassword",
                    "iam:CreateVirtualMFADevice",
                    "iam:EnableMFADevice",
                    "iam:GetAccountPasswordPolicy",
                    "iam:GetMFADevice",
                    "iam:GetUser",
                    "iam:ListMFADevices",
                    "iam:ListUsers",
                    "iam:ListVirtualMFADevices",
                    "iam:ResyncMFADevice",
                    "sts:GetSessionToken"
                ],
                "Resource": "*",
                "Condition": {
                    "NumericGreaterThanIfExists": {
                        "aws:MultiFactorAuthAge": "43200"
                    },
                    "BoolIfExists": {
                        "aws:ViaAWSService": "false"
                    }
                }
            }
        ]
    }
  EOT
  tags = { "awsmfa:managed" = "true" }
}

resource "aws_iam_group" "group_mfa_required" {
  name = "mfa-required"
  path = "/awsmfa/"
}

resource "aws_iam_group_membership" "members_mfa_required" {
  name  = "mfa-required-members"
  group = aws_iam_group.group_mfa_required.name
  users = ["alice", "bob"]
}

resource "aws_iam_group_policy_attachment" "attach_mfa_required" {
  group      = aws_iam_group.group_mfa_required.name
  policy_arn = aws_iam_policy.policy_awsmfa_require_mfa_max_age_43200.arn
}

resource "aws_iam_role" "role_cli_role" {
  name                 = "cli-role"
  path                 = "/"
  max_session_duration = 43200
  assume_role_policy = <<-EOT
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowAssumeRoleOnlyWithMFA",
                "Effect": "Allow",
                "Principal": {
                    "AWS": "arn:aws:iam::123456789012:user/alice"
                },
                "Action": "sts:AssumeRole",
                "Condition": {
                    "Bool": {
                        "aws:MultiFactorAuthPresent": "true"
                    }
                }
            }
        ]
    }
  EOT
  tags = { "awsmfa:managed" = "true" }
}

resource "aws_iam_role_policy_attachment" "attach_cli_role" {
  role       = aws_iam_role.role_cli_role.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_policy" "policy_awsmfa_assume_cli_role" {
  name = "awsmfa-assume-cli-role"
  path = "/"
  policy = <<-EOT
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowAssumeRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": "arn:aws:iam::123456789012:role/cli-role"
            }
        ]
    }
  EOT
  tags = { "awsmfa:managed" = "true" }
}

resource "aws_iam_user_policy_attachment" "attach_cli_role_alice" {
  user       = "alice"
  policy_arn = aws_iam_policy.policy_awsmfa_assume_cli_role.arn
}
