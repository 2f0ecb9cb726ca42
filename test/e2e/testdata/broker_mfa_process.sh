#!/bin/sh
# The mfa_process of the broker end-to-end tests (test/e2e/broker_*_test.go).
#
# Usage: broker_mfa_process.sh [-d SECONDS] [-g GO_FILE] COUNT_FILE COMMAND [ARG...]
#
# Records this invocation as one line appended to COUNT_FILE (a single
# short write to a file opened for appending, so concurrent invocations are
# all counted), optionally waits SECONDS (a person typing) or until GO_FILE
# exists (at most 120 s: the test says when every process it started is
# running), then runs
# COMMAND, whose standard output is the MFA code: usually
# `awsmfa lab totp --state STATE --serial SERIAL` (the lab device's current
# code), or `cat FILE` / `echo CODE` for the wrong- and reused-code cases.
#
# awsmfa sets AWSMFA_MFA_SERIAL and AWSMFA_MFA_PROFILE for mfa_process; they are
# recorded so the tests can check which device and profile asked.
set -eu
delay=0
gofile=
if [ "${1:-}" = "-d" ]; then
	delay=$2
	shift 2
fi
if [ "${1:-}" = "-g" ]; then
	gofile=$2
	shift 2
fi
count=$1
shift
printf '%s %s %s\n' "$$" "${AWSMFA_MFA_SERIAL:-none}" "${AWSMFA_MFA_PROFILE:-none}" >>"$count"
if [ "$delay" != 0 ]; then
	sleep "$delay"
fi
if [ -n "$gofile" ]; then
	i=0
	while [ ! -e "$gofile" ] && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
fi
exec "$@"
