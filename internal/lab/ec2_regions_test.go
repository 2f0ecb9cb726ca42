package lab

import (
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
)

// describeRegionsResponse is EC2's answer as the SDKs read it (the AWS
// model's locationNames: regionInfo/item, regionName, regionEndpoint,
// optInStatus).
type describeRegionsResponse struct {
	XMLName   xml.Name `xml:"http://ec2.amazonaws.com/doc/2016-11-15/ DescribeRegionsResponse"`
	RequestID string   `xml:"requestId"`
	Regions   []struct {
		RegionName  string `xml:"regionName"`
		Endpoint    string `xml:"regionEndpoint"`
		OptInStatus string `xml:"optInStatus"`
	} `xml:"regionInfo>item"`
}

func (h *handlerLab) describeRegions(t *testing.T, form url.Values) (int, string, describeRegionsResponse) {
	t.Helper()
	form.Set("Action", "DescribeRegions")
	form.Set("Version", versionEC2)
	st, body := h.call(h.a.admin, "ec2", form.Encode())
	var out describeRegionsResponse
	if st == 200 {
		if err := xml.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("DescribeRegions answer does not parse: %v\n%s", err, body)
		}
	}
	return st, body, out
}

func regionNames(r describeRegionsResponse) string {
	var names []string
	for _, x := range r.Regions {
		names = append(names, x.RegionName)
	}
	return strings.Join(names, " ")
}

func TestDescribeRegions(t *testing.T) {
	h := newHandlerLab(t, Config{})
	const enabled = "ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 ap-southeast-1 ap-southeast-2 ca-central-1 " +
		"eu-central-1 eu-north-1 eu-west-1 eu-west-2 eu-west-3 sa-east-1 us-east-1 us-east-2 us-west-1 us-west-2"

	st, body, r := h.describeRegions(t, url.Values{})
	if st != 200 || regionNames(r) != enabled || r.RequestID == "" {
		t.Fatalf("DescribeRegions: %d %s", st, body)
	}
	for _, x := range r.Regions {
		if x.Endpoint != "ec2."+x.RegionName+".amazonaws.com" || x.OptInStatus != "opt-in-not-required" {
			t.Errorf("region %+v", x)
		}
	}

	_, _, all := h.describeRegions(t, url.Values{"AllRegions": {"true"}})
	if len(all.Regions) != len(ec2Regions()) || len(all.Regions) <= len(r.Regions) {
		t.Fatalf("AllRegions: %d regions", len(all.Regions))
	}
	optIn := map[string]string{}
	for _, x := range all.Regions {
		optIn[x.RegionName] = x.OptInStatus
	}
	if optIn["af-south-1"] != "not-opted-in" || optIn["eu-south-2"] != "not-opted-in" || optIn["us-east-1"] != "opt-in-not-required" {
		t.Errorf("opt-in statuses %v", optIn)
	}

	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"AllRegions false", url.Values{"AllRegions": {"false"}}, enabled},
		// Named regions are listed whether enabled or not.
		{"RegionNames", url.Values{"RegionName.1": {"us-west-2"}, "RegionName.2": {"af-south-1"}, "RegionName.3": {"us-west-2"}}, "af-south-1 us-west-2"},
		{"region-name filter with a wildcard", url.Values{"Filter.1.Name": {"region-name"}, "Filter.1.Value.1": {"eu-*"}, "Filter.1.Value.2": {"us-east-?"}},
			"eu-central-1 eu-north-1 eu-west-1 eu-west-2 eu-west-3 us-east-1 us-east-2"},
		{"opt-in-status among all", url.Values{"AllRegions": {"true"}, "Filter.1.Name": {"opt-in-status"}, "Filter.1.Value.1": {"not-opted-in"},
			"Filter.2.Name": {"region-name"}, "Filter.2.Value.1": {"me-*"}}, "me-central-1 me-south-1"},
		{"opt-in-status of enabled regions", url.Values{"Filter.1.Name": {"opt-in-status"}, "Filter.1.Value.1": {"not-opted-in"}}, ""},
		{"endpoint", url.Values{"Filter.1.Name": {"endpoint"}, "Filter.1.Value.1": {"ec2.ca-central-1.amazonaws.com"}}, "ca-central-1"},
	} {
		st, body, got := h.describeRegions(t, c.form)
		if st != 200 || regionNames(got) != c.want {
			t.Errorf("%s: %d %q\n%s", c.name, st, regionNames(got), body)
		}
	}
}

func TestDescribeRegionsErrors(t *testing.T) {
	h := newHandlerLab(t, Config{})
	for _, c := range []struct {
		name   string
		form   url.Values
		status int
		code   string
		msg    string
	}{
		{"unknown region", url.Values{"RegionName.1": {"us-east-1"}, "RegionName.2": {"us--east-1"}}, 400, "InvalidParameterValue", "Invalid region: [us--east-1]"},
		{"unknown filter", url.Values{"Filter.1.Name": {"zone-name"}, "Filter.1.Value.1": {"x"}}, 400, "InvalidParameterValue", "The filter 'zone-name' is invalid"},
		{"bad boolean", url.Values{"AllRegions": {"yes"}}, 400, "InvalidParameterValue", "Invalid value 'yes' for AllRegions"},
		{"a member after a gap", url.Values{"RegionName.1": {"us-east-1"}, "RegionName.3": {"us-west-2"}}, 400, "UnknownParameter", "The parameter RegionName.3 is not recognized"},
		{"an unknown parameter", url.Values{"Regions": {"us-east-1"}}, 400, "UnknownParameter", "The parameter Regions is not recognized"},
		{"dry run", url.Values{"DryRun": {"true"}}, 412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set."},
	} {
		st, body, _ := h.describeRegions(t, c.form)
		if code, msg := apiErrorOf(t, body); st != c.status || code != c.code || msg != c.msg && !strings.HasPrefix(msg, c.msg) {
			t.Errorf("%s: %d %s", c.name, st, body)
		}
	}
	// DryRun is authorized first: a caller who may not gets
	// UnauthorizedOperation, not DryRunOperation.
	st, body := h.call(h.a.ifExists, "ec2", "Action=DescribeRegions&Version=2016-11-15&DryRun=true")
	if code, _ := apiErrorOf(t, body); st != 403 || code != "UnauthorizedOperation" {
		t.Errorf("DryRun by a denied caller: %d %s", st, body)
	}
}
