package analysis

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseReceived(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     Hop
		time     string // RFC 3339, "" for none
	}{
		{
			name: "postfix",
			in:   "from mail.sender.example (mail.sender.example [209.85.220.41]) by mx.corp.example (Postfix) with ESMTPS id 4Tq1x2Y3z4 for <alice@corp.example>; Tue, 5 Mar 2024 10:15:02 +0100 (CET)",
			want: Hop{From: "mail.sender.example", Helo: "mail.sender.example", RDNS: "mail.sender.example", IP: "209.85.220.41", IPClass: "public",
				By: "mx.corp.example", With: "ESMTPS", ID: "4Tq1x2Y3z4", For: "alice@corp.example"},
			time: "2024-03-05T10:15:02+01:00",
		},
		{
			name: "postfix without reverse name",
			in:   "from WIN-8KQ2 (unknown [45.155.205.3]) by mx.corp.example (Postfix) with ESMTP id 9A1B2C; Tue,  5 Mar 2024 09:00:00 +0000",
			want: Hop{From: "WIN-8KQ2", Helo: "WIN-8KQ2", IP: "45.155.205.3", IPClass: "public", By: "mx.corp.example", With: "ESMTP", ID: "9A1B2C"},
			time: "2024-03-05T09:00:00Z",
		},
		{
			name: "postfix HELO differs from reverse name",
			in:   "from paypal.com (vps-12.cheap-host.example [185.220.101.4]) by mx.corp.example (Postfix) with ESMTP id X1; Tue, 5 Mar 2024 09:00:00 +0000",
			want: Hop{From: "paypal.com", Helo: "paypal.com", RDNS: "vps-12.cheap-host.example", IP: "185.220.101.4", IPClass: "public",
				By: "mx.corp.example", With: "ESMTP", ID: "X1", Flags: []string{FlagHeloMismatch}},
			time: "2024-03-05T09:00:00Z",
		},
		{
			name: "exim with helo=",
			in:   "from host.sender.example ([185.220.101.4] helo=paypal.com) by mx.corp.example with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <a@sender.example>) id 1rhZ0q-0004xT-2K for bob@corp.example; Tue, 05 Mar 2024 10:15:02 +0000",
			want: Hop{From: "host.sender.example", Helo: "paypal.com", RDNS: "host.sender.example", IP: "185.220.101.4", IPClass: "public",
				By: "mx.corp.example", With: "esmtps", ID: "1rhZ0q-0004xT-2K", For: "bob@corp.example", Flags: []string{FlagHeloMismatch}},
			time: "2024-03-05T10:15:02Z",
		},
		{
			name: "exim without reverse name",
			in:   "from [185.220.101.4] (port=51234 helo=client.example) by mx.corp.example with esmtpsa (Exim 4.96) id 1rhZ0q-0004xT-2K; Tue, 05 Mar 2024 10:15:02 +0000",
			want: Hop{From: "[185.220.101.4]", Helo: "client.example", IP: "185.220.101.4", IPClass: "public",
				By: "mx.corp.example", With: "esmtpsa", ID: "1rhZ0q-0004xT-2K"},
			time: "2024-03-05T10:15:02Z",
		},
		{
			name: "exchange on premises",
			in:   "from EX01.corp.local (10.1.2.3) by EX02.corp.local (10.1.2.4) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1118.40 via Frontend Transport; Tue, 5 Mar 2024 10:15:03 +0000",
			want: Hop{From: "EX01.corp.local", Helo: "EX01.corp.local", IP: "10.1.2.3", IPClass: "private",
				By: "EX02.corp.local", With: "Microsoft", ID: "15.2.1118.40"},
			time: "2024-03-05T10:15:03Z",
		},
		{
			name: "exchange online",
			in:   "from AM0PR02MB5555.eurprd02.prod.outlook.com (2603:10a6:208:154::17) by DB9PR02MB7777.eurprd02.prod.outlook.com with HTTPS; Tue, 5 Mar 2024 10:15:04 +0000",
			want: Hop{From: "AM0PR02MB5555.eurprd02.prod.outlook.com", Helo: "AM0PR02MB5555.eurprd02.prod.outlook.com", IP: "2603:10a6:208:154::17", IPClass: "public",
				By: "DB9PR02MB7777.eurprd02.prod.outlook.com", With: "HTTPS"},
			time: "2024-03-05T10:15:04Z",
		},
		{
			name: "gmail",
			in:   "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id a640c23a62f3a-a44f8c1b2e9sor1234567866b.2024.03.05.02.15.01 for <carol@gmail.com> (Google Transport Security); Tue, 05 Mar 2024 02:15:01 -0800 (PST)",
			want: Hop{From: "mail-sor-f41.google.com", Helo: "mail-sor-f41.google.com", RDNS: "mail-sor-f41.google.com", IP: "209.85.220.41", IPClass: "public",
				By: "mx.google.com", With: "SMTPS", ID: "a640c23a62f3a-a44f8c1b2e9sor1234567866b.2024.03.05.02.15.01", For: "carol@gmail.com"},
			time: "2024-03-05T02:15:01-08:00",
		},
		{
			name: "gmail internal, no from",
			in:   "by 2002:a05:6a10:8e04:b0:5a1:c2d3:e4f5 with SMTP id x4csp123456pxo; Tue, 5 Mar 2024 02:15:02 -0800 (PST)",
			want: Hop{By: "2002:a05:6a10:8e04:b0:5a1:c2d3:e4f5", With: "SMTP", ID: "x4csp123456pxo"},
			time: "2024-03-05T02:15:02-08:00",
		},
		{
			name: "qmail network",
			in:   "from unknown (HELO mail.sender.example) (185.220.101.4) by mx.corp.example with SMTP; 5 Mar 2024 10:15:02 -0000",
			want: Hop{From: "unknown", Helo: "mail.sender.example", IP: "185.220.101.4", IPClass: "public", By: "mx.corp.example", With: "SMTP"},
			time: "2024-03-05T10:15:02Z",
		},
		{
			name: "qmail local",
			in:   "(qmail 12345 invoked by uid 89); 5 Mar 2024 10:15:01 -0000",
			want: Hop{},
			time: "2024-03-05T10:15:01Z",
		},
		{
			name: "sendmail may be forged",
			in:   "from paypal-secure.example (host-4.example.net [185.220.101.4] (may be forged)) by relay.corp.example (8.15.2/8.15.2) with ESMTP id 425AF2xK012345 for <dave@corp.example>; Tue, 5 Mar 2024 10:15:02 GMT",
			want: Hop{From: "paypal-secure.example", Helo: "paypal-secure.example", RDNS: "host-4.example.net", IP: "185.220.101.4", IPClass: "public",
				By: "relay.corp.example", With: "ESMTP", ID: "425AF2xK012345", For: "dave@corp.example",
				Flags: []string{FlagMayBeForged, FlagHeloMismatch}},
			time: "2024-03-05T10:15:02Z",
		},
		{
			name: "ipv6 literal",
			in:   "from mail.example ([IPv6:2a01:4f8:1:2::3]) by mx.corp.example (Postfix) with ESMTPS id A; Tue, 5 Mar 2024 10:15:02 +0000",
			want: Hop{From: "mail.example", Helo: "mail.example", IP: "2a01:4f8:1:2::3", IPClass: "public", By: "mx.corp.example", With: "ESMTPS", ID: "A"},
			time: "2024-03-05T10:15:02Z",
		},
		{
			name: "no date",
			in:   "from a.example by b.example",
			want: Hop{From: "a.example", Helo: "a.example", By: "b.example", Flags: []string{FlagNoDate}},
		},
		{
			name: "asctime date",
			in:   "by mx.example.com (8.9.3) id AAA; Tue Mar  5 10:15:02 2024",
			want: Hop{By: "mx.example.com", ID: "AAA"},
			time: "2024-03-05T10:15:02Z",
		},
		{
			name: "garbage date",
			in:   "from a by b; yesterday at noon",
			want: Hop{From: "a", Helo: "a", By: "b", Flags: []string{FlagUnparsedDate}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseReceived(tt.in)
			gotTime := got.Time
			got.Time, got.Raw = time.Time{}, ""
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseReceived(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
			switch {
			case tt.time == "" && !gotTime.IsZero():
				t.Errorf("time = %v, want none", gotTime)
			case tt.time != "":
				want, _ := time.Parse(time.RFC3339, tt.time)
				if !gotTime.Equal(want) {
					t.Errorf("time = %v, want %v", gotTime, want)
				}
			}
		})
	}
}

func TestHopsChain(t *testing.T) {
	fields := headerFields(`Received: from EX01.corp.local (10.1.2.3) by EX02.corp.local (10.1.2.4) with Microsoft SMTP Server id 15.2.1118.40; Tue, 5 Mar 2024 10:16:00 +0000
Received: from mx.corp.example (mx.corp.example [52.1.2.3]) by EX01.corp.local with ESMTPS id 1; Tue, 5 Mar 2024 10:15:30 +0000
Received: from relay.hoster.example (relay.hoster.example [185.220.101.4]) by mx.corp.example with ESMTPS id 2; Tue, 5 Mar 2024 10:15:00 +0000
Received: from fake.example (fake.example [192.168.1.20]) by relay.hoster.example with ESMTP id 3; Tue, 5 Mar 2024 10:20:00 +0000
Received: from laptop (laptop [46.1.2.3]) by fake.example with ESMTP id 4; Tue, 5 Mar 2024 10:14:00 +0000
Received: from localhost (localhost [127.0.0.1]) by laptop with SMTP id 5; Tue, 5 Mar 2024 10:13:00 +0000`)
	hops := Hops(fields)
	if len(hops) != 6 {
		t.Fatalf("%d hops, want 6", len(hops))
	}
	var ids []string
	for i, h := range hops {
		if h.Index != i+1 {
			t.Errorf("hop %d has Index %d", i, h.Index)
		}
		ids = append(ids, h.ID)
	}
	if want := []string{"5", "4", "3", "2", "1", "15.2.1118.40"}; !slices.Equal(ids, want) {
		t.Errorf("hop order %v, want oldest first %v", ids, want)
	}
	wantFlags := [][]string{nil, nil, {FlagNonPublicIP}, {FlagBackwardsTime}, nil, nil}
	for i, h := range hops {
		if !slices.Equal(h.Flags, wantFlags[i]) {
			t.Errorf("hop %d (%s) flags %v, want %v", i+1, h.From, h.Flags, wantFlags[i])
		}
	}
	wantDelays := []int64{60, 360, -300, 30, 30}
	for i, d := range wantDelays {
		if hops[i].DelaySeconds == nil || *hops[i].DelaySeconds != d {
			t.Errorf("hop %d delay %v, want %d", i+1, hops[i].DelaySeconds, d)
		}
	}
	if hops[5].DelaySeconds != nil {
		t.Errorf("newest hop has a delay")
	}
}

func TestIPClass(t *testing.T) {
	for ip, want := range map[string]string{
		"8.8.8.8": "public", "10.0.0.1": "private", "172.16.5.4": "private", "192.168.0.1": "private",
		"127.0.0.1": "loopback", "::1": "loopback", "100.64.1.1": "cgnat", "169.254.1.1": "link_local",
		"192.0.2.1": "reserved", "2001:db8::1": "reserved", "0.0.0.0": "unspecified", "224.0.0.1": "multicast",
		"fd00::1": "private", "::ffff:10.0.0.1": "private", "nonsense": "",
	} {
		if got := IPClass(ip); got != want {
			t.Errorf("IPClass(%q) = %q, want %q", ip, got, want)
		}
	}
}

func FuzzHops(f *testing.F) {
	f.Add("from a (b [1.2.3.4]) by c with SMTP id d for <e>; Tue, 5 Mar 2024 10:15:02 +0000")
	f.Add("from unknown (HELO x) (1.2.3.4) by y with SMTP; 5 Mar 2024 10:15:02 -0000")
	f.Add("(qmail 1 invoked by uid 2); ((((; from from from by")
	f.Add("from [IPv6:::1]:25 (helo=) by ; Tue Mar  5 10:15:02 2024")
	f.Fuzz(func(t *testing.T, s string) {
		fields := []Field{{Name: "Received", Value: s}, {Name: "Received", Value: s + "; Tue, 5 Mar 2024 10:15:02 +0000"}}
		hops := Hops(fields)
		if len(hops) != 2 {
			t.Fatalf("%d hops from 2 fields", len(hops))
		}
		for _, h := range hops {
			if h.IP != "" && h.IPClass == "" {
				t.Errorf("IP %q without a class", h.IP)
			}
			if len(h.Raw) > maxReceivedLen {
				t.Errorf("Raw of %d bytes", len(h.Raw))
			}
			if strings.Contains(h.Helo+h.RDNS, " ") {
				t.Errorf("HELO %q or RDNS %q holds a space", h.Helo, h.RDNS)
			}
		}
	})
}
