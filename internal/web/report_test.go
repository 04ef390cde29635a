package web_test

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// org is a small organisation: Finance with a member and a champion,
// Legal with a member, and the security team.
type org struct {
	finance, legal              shieldwall.Department
	alice, bob, carol, sam, ada shieldwall.User
}

func newOrg(a *app) org {
	var o org
	o.finance = a.mustDepartment("Finance", "")
	o.legal = a.mustDepartment("Legal", "")
	a.mustDepartment("Security", "")
	o.alice = a.mustUser("alice@example.com", "Alice Example", shieldwall.RoleMember, "Finance", testPassword)
	o.bob = a.mustUser("bob@example.com", "Bob Builder", shieldwall.RoleChampion, "Finance", testPassword)
	o.carol = a.mustUser("carol@example.com", "Carol Counsel", shieldwall.RoleMember, "Legal", testPassword)
	o.sam = a.mustUser("sam@example.com", "Sam Secure", shieldwall.RoleSecurity, "Security", testPassword)
	return o
}

// signedIn returns a client signed in as email.
func (a *app) signedIn(email string) *client {
	a.t.Helper()
	c := a.client()
	c.signIn(email, testPassword)
	return c
}

func readPhish(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/phish.eml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantNoJargon fails if the words of a reporter's page use the security
// team's jargon (the CSRF token, being random, is left out).
func wantNoJargon(t *testing.T, r *response) {
	t.Helper()
	words := csrfRE.ReplaceAllString(mainOf(r.body), "")
	for _, j := range []string{"IOC", "TLP", "triage", "Triage", "indicator", "Indicator"} {
		if strings.Contains(words, j) {
			t.Errorf("%s %s: a reporter's page says %q", r.Request.Method, r.Request.URL.Path, j)
		}
	}
}

var reportLinkRE = regexp.MustCompile(`href="/reports/([0-9a-f-]{36})"`)

func TestHomeReportButton(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		for i, title := range []string{"First thing", "Second thing", "Third thing", "Fourth thing"} {
			r := a.mustReport(o.alice, shieldwall.ReportInput{Kind: shieldwall.KindOther, Title: title})
			if i == 3 {
				answer := "We checked: all is well. Thank you!"
				if _, err := a.srv.Intake.Triage(t.Context(), actorOf(o.sam), r.ID, intake.TriageUpdate{Status: shieldwall.StatusResolved, Resolution: &answer}); err != nil {
					t.Fatal(err)
				}
			}
		}
		c := a.signedIn("alice@example.com")
		home := c.get("/")
		wantStatus(t, home, http.StatusOK)
		if first := regexp.MustCompile(`<a [^>]*>`).FindString(mainOf(home.body)); !strings.Contains(first, `href="/report"`) {
			t.Errorf("the first link of the home page is %s; want the Report something button", first)
		}
		wantBody(t, home, ">Report something</a>", `href="/anonymous">Report anonymously — no name, no blame</a>`,
			"Fourth thing", "Third thing", "Second thing", "We checked: all is well. Thank you!", "Answered", "See all 4 of my reports",
			`href="/report">Report</a>`, `href="/reports/mine">My reports</a>`)
		wantNoBody(t, home, "First thing", `href="/triage"`)

		// The security team sees what waits for them.
		sec := a.signedIn("sam@example.com")
		wantBody(t, sec.get("/"), "3 new reports wait in the triage queue", `href="/triage">Triage</a>`)

		// Signed out, the sign-in page offers the anonymous way too.
		wantBody(t, a.client().get("/signin"), `href="/anonymous">Report anonymously — no name, no blame</a>`)
	})
}

func TestReportForm(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		newOrg(a)
		c := a.signedIn("alice@example.com")

		t.Run("KindPicker", func(t *testing.T) {
			r := c.get("/report")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "<legend>What happened?</legend>", `enctype="multipart/form-data"`,
				"A suspicious email", "A strange payment request", "Someone behaving oddly", "I lost a device",
				"An app we don&#39;t know", "Data went where it shouldn&#39;t", "I made a mistake", "Something else",
				"In a few words, what happened?", `type="file" multiple`, "Report anonymously — don't keep my name")
			wantNoBody(t, r, " checked")
			wantNoJargon(t, r)
		})

		t.Run("KindWithoutJavaScript", func(t *testing.T) {
			r := c.get("/report?kind=phishing")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, `id="kind-phishing" value="phishing" checked`, `id="questions-phishing"`,
				`name="phishing.pasted_email"`, `name="phishing.clicked" value="yes"`)
			if n := strings.Count(r.body, " checked"); n != 1 {
				t.Errorf("%d choices checked; want only phishing", n)
			}
			r = c.get("/report?kind=lost-device")
			wantBody(t, r, `id="kind-lost-device" value="lost-device" checked`, `<option value="laptop">laptop</option>`,
				`name="lost-device.when" type="datetime-local"`)
			wantNoBody(t, c.get("/report?kind=bogus"), " checked")
		})

		t.Run("StylesheetRevealsEveryKind", func(t *testing.T) {
			home := c.get("/report")
			css := regexp.MustCompile(`/static/app\.css\?v=[0-9a-f]+`).FindString(home.body)
			sheet := c.get(css).body
			for _, k := range shieldwall.ReportKinds {
				if len(intake.DetailFields[k]) == 0 {
					continue
				}
				if want := "#kind-" + string(k) + ":checked) #questions-" + string(k); !strings.Contains(sheet, want) {
					t.Errorf("app.css does not reveal the questions of %s (%q)", k, want)
				}
			}
		})
	})
}

func TestReportCreate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		c := a.signedIn("alice@example.com")

		t.Run("ErrFieldsBesideThemselves", func(t *testing.T) {
			r := c.postForm("/report", "/report", url.Values{"kind": {""}, "title": {" "}, "description": {"It felt off & odd"}})
			wantStatus(t, r, http.StatusBadRequest)
			if msg := fieldError(r.body, "kind"); !strings.Contains(msg, "Choose what happened") {
				t.Errorf("kind error %q", msg)
			}
			if msg := fieldError(r.body, "title"); msg == "" {
				t.Error("no error beside the title")
			}
			wantBody(t, r, `role="alert"`, ">It felt off &amp; odd</textarea>", `href="#f-kind"`, `href="#f-title"`)
		})

		t.Run("ErrNumberBesideItsQuestion", func(t *testing.T) {
			r := c.postForm("/report", "/report", url.Values{"kind": {"payment-fraud"}, "title": {"Odd invoice"},
				"payment-fraud.amount": {"lots"}, "payment-fraud.payee": {"ACME Ltd"}})
			wantStatus(t, r, http.StatusBadRequest)
			if msg := fieldError(r.body, "payment-fraud.amount"); !strings.Contains(msg, "Write a number") {
				t.Errorf("amount error %q", msg)
			}
			wantBody(t, r, `id="kind-payment-fraud" value="payment-fraud" checked`, `value="Odd invoice"`, `value="lots"`, `value="ACME Ltd"`)
			r = c.postForm("/report", "/report", url.Values{"kind": {"payment-fraud"}, "title": {"Odd invoice"}, "payment-fraud.amount": {"1,250"}})
			if msg := fieldError(r.body, "payment-fraud.amount"); msg != "Is that 1250 or 1.250? Write it without a thousands separator." {
				t.Errorf("ambiguous amount error %q", msg)
			}
		})

		t.Run("OK", func(t *testing.T) {
			r := c.postForm("/report", "/report", url.Values{"kind": {"payment-fraud"}, "title": {"Supplier changed bank details"},
				"description": {"Call from 'the CFO'."}, "payment-fraud.amount": {"12 500,50"}, "payment-fraud.currency": {"EUR"},
				"payment-fraud.paid": {"no"}, "lost-device.where": {"another kind's answer, ignored"}})
			wantLocation(t, r, "/report/sent")
			sent := c.get("/report/sent")
			wantBody(t, sent, "Thank you — Security will look at this within one working day. You'll see the answer under My reports.")

			mine := c.get("/reports/mine")
			wantStatus(t, mine, http.StatusOK)
			wantBody(t, mine, "Supplier changed bank details", "A strange payment request", "Received", "No answer yet")
			m := reportLinkRE.FindStringSubmatch(mine.body)
			if m == nil {
				t.Fatal("My reports links no report")
			}
			rep, err := a.srv.Intake.Get(t.Context(), actorOf(o.alice), m[1])
			if err != nil {
				t.Fatal(err)
			}
			var details map[string]any
			if err := json.Unmarshal(rep.Details, &details); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"amount": 12500.5, "currency": "EUR", "paid": false}
			if len(details) != len(want) || details["amount"] != want["amount"] || details["currency"] != want["currency"] || details["paid"] != want["paid"] {
				t.Errorf("details = %s; want amount as a number, paid as false, nothing else", rep.Details)
			}
			if rep.Source != shieldwall.SourcePortal || rep.ReporterID != o.alice.ID || rep.DepartmentID != o.finance.ID {
				t.Errorf("report source %q, reporter %q, department %q; want the portal, Alice, Finance", rep.Source, rep.ReporterID, rep.DepartmentID)
			}
			page := c.get("/reports/" + rep.ID)
			wantStatus(t, page, http.StatusOK)
			wantBody(t, page, "Supplier changed bank details", "Amount", "12500.5", "Has anything been paid already?", "No", "Write to the security team")
			wantNoBody(t, page, "Assigned to")
			wantNoJargon(t, page)
		})

		t.Run("ErrOthersCannotSee", func(t *testing.T) {
			mine := c.get("/reports/mine")
			id := reportLinkRE.FindStringSubmatch(mine.body)[1]
			carol := a.signedIn("carol@example.com")
			wantStatus(t, carol.get("/reports/"+id), http.StatusNotFound)
			wantNoBody(t, carol.get("/reports/mine"), "Supplier changed bank details")
		})
	})
}

func TestReportUpload(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		newOrg(a)
		c := a.signedIn("alice@example.com")
		phish := readPhish(t)
		// A screenshot over the 1 MB a plain form may carry: the router must
		// still find the CSRF token among the files.
		screenshot := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 400_000)

		t.Run("PhishingEmail", func(t *testing.T) {
			r := c.postMultipart("/report", "/report", url.Values{"kind": {"phishing"}, "title": {"Invoice email from our CFO?"},
				"phishing.clicked": {"yes"}}, upload{"attachments", "invoice.eml", phish}, upload{"attachments", "screen.png", screenshot})
			wantLocation(t, r, "/report/sent")

			// A reported email starts a campaign; the queue shows the
			// campaign, and the campaign its reports.
			sec := a.signedIn("sam@example.com")
			queue := sec.get("/triage")
			wantStatus(t, queue, http.StatusOK)
			wantBody(t, queue, "1 report", "[EXTERNAL] Urgent: outstanding invoice 4471")
			campaign := regexp.MustCompile(`href="(/campaigns/[^"]+)"`).FindStringSubmatch(queue.body)
			if campaign == nil {
				t.Fatalf("the queue lists no campaign:\n%s", excerpt(queue.body))
			}
			id := reportLinkRE.FindStringSubmatch(sec.get(campaign[1]).body)
			if id == nil {
				t.Fatal("the campaign lists no report")
			}
			page := sec.get("/reports/" + id[1])
			wantStatus(t, page, http.StatusOK)
			wantBody(t, page, "Invoice email from our CFO?", "Alice Example", "Verdict: Likely malicious", "Replies would go to gmail.com", "Indicators",
				"jane.doe.cfo@gmail.com", "invoice.eml", "screen.png", "original.eml", "Did you click a link, open an attachment or reply?", "Yes")
			// Links from the email are shown as text, never as links.
			wantNoBody(t, page, `href="https://acmecorp.com.invoice-portal.example`)

			files := regexp.MustCompile(`href="(/reports/[^"]+/attachments/[^"]+)" download>([^<]+)<`).FindAllStringSubmatch(page.body, -1)
			var got []byte
			for _, f := range files {
				if f[2] == "invoice.eml" {
					dl := sec.get(f[1])
					wantStatus(t, dl, http.StatusOK)
					if cd := dl.Header.Get("Content-Disposition"); cd != `attachment; filename="invoice.eml"` {
						t.Errorf("Content-Disposition %q", cd)
					}
					if ct := dl.Header.Get("Content-Type"); ct != "application/octet-stream" {
						t.Errorf("Content-Type %q; want a download", ct)
					}
					got = []byte(dl.body)
					// The reporter may fetch their own files; others may not.
					wantStatus(t, c.get(f[1]), http.StatusOK)
					wantStatus(t, a.signedIn("carol@example.com").get(f[1]), http.StatusNotFound)
				}
			}
			if !bytes.Equal(got, phish) {
				t.Errorf("downloaded invoice.eml is %d bytes; want the %d uploaded", len(got), len(phish))
			}
		})

		t.Run("ErrFileTooLarge", func(t *testing.T) {
			big := bytes.Repeat([]byte("x"), intake.MaxAttachment+1)
			r := c.postMultipart("/report", "/report", url.Values{"kind": {"other"}, "title": {"Big file"}}, upload{"attachments", "big.bin", big})
			wantStatus(t, r, http.StatusRequestEntityTooLarge)
			if msg := fieldError(r.body, "attachments"); !strings.Contains(msg, "big.bin") || !strings.Contains(msg, "10 MB") {
				t.Errorf("attachments error %q", msg)
			}
			wantBody(t, r, `value="Big file"`, "Choose your files again")
		})

		t.Run("ErrTooManyFiles", func(t *testing.T) {
			var files []upload
			for i := range 6 {
				files = append(files, upload{"attachments", "f" + string(rune('a'+i)) + ".txt", []byte("hello")})
			}
			r := c.postMultipart("/report", "/report", url.Values{"kind": {"other"}, "title": {"Many files"}}, files...)
			wantStatus(t, r, http.StatusBadRequest)
			if msg := fieldError(r.body, "attachments"); msg != "Attach at most 5 files." {
				t.Errorf("attachments error %q", msg)
			}
		})

		t.Run("ErrMultipartWithoutToken", func(t *testing.T) {
			var buf bytes.Buffer
			buf.WriteString("--x\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nNo token\r\n--x--\r\n")
			r := c.do(http.MethodPost, "/report", &buf, "Content-Type", "multipart/form-data; boundary=x")
			wantStatus(t, r, http.StatusForbidden)
		})
	})
}

var receiptRE = regexp.MustCompile(`<p class="receipt" id="receipt">([0-9A-Z-]+)</p>`)

// setCookies returns the names of the cookies a response sets.
func setCookies(r *response) []string {
	var names []string
	for _, c := range r.Cookies() {
		names = append(names, c.Name)
	}
	return names
}

func TestAnonymousReport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		c := a.client()
		const csrfCookie = "__Host-shieldwall_csrf"

		// wantAnonymous checks what every anonymous page must hold to.
		wantAnonymous := func(t *testing.T, r *response, cookies ...string) {
			t.Helper()
			if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("%s %s: Referrer-Policy %q; want no-referrer", r.Request.Method, r.Request.URL.Path, got)
			}
			if got := setCookies(r); strings.Join(got, ",") != strings.Join(cookies, ",") {
				t.Errorf("%s %s: sets cookies %v; want %v", r.Request.Method, r.Request.URL.Path, got, cookies)
			}
		}

		form := c.get("/anonymous")
		wantStatus(t, form, http.StatusOK)
		wantAnonymous(t, form, csrfCookie)
		wantBody(t, form, "We keep no name, no email, no IP address, no cookie. Mistakes and near misses are welcome — no blame.",
			`action="/anonymous"`, "A suspicious email")
		wantNoBody(t, form, `name="anonymous"`)

		var receipt string
		t.Run("Send", func(t *testing.T) {
			r := c.postMultipart("/anonymous", "/anonymous", url.Values{"kind": {"mistake"}, "title": {"I clicked a link"},
				"mistake.when": {"2026-03-03T09:15"}}, upload{"attachments", "screen.png", []byte("png")})
			wantStatus(t, r, http.StatusCreated)
			wantAnonymous(t, r)
			m := receiptRE.FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("no receipt shown:\n%s", excerpt(r.body))
			}
			receipt = m[1]
			if !regexp.MustCompile(`^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$`).MatchString(receipt) {
				t.Errorf("receipt %q is not eight groups of four", receipt)
			}
			wantBody(t, r, "Write it down; it is the only way back to this report.", `data-copy="receipt"`)
			// Shown once: no later page holds it.
			for _, p := range []string{"/anonymous", "/anonymous/follow-up"} {
				wantNoBody(t, c.get(p), receipt)
			}
		})

		t.Run("ErrFieldsKept", func(t *testing.T) {
			r := c.postForm("/anonymous", "/anonymous", url.Values{"kind": {"lost-device"}, "title": {""}, "lost-device.where": {"Train to Leeds"}})
			wantStatus(t, r, http.StatusBadRequest)
			wantAnonymous(t, r)
			if fieldError(r.body, "title") == "" {
				t.Error("no error beside the title")
			}
			wantBody(t, r, `value="Train to Leeds"`, `id="kind-lost-device" value="lost-device" checked`)
		})

		// The stored report knows nobody.
		reps, _, err := a.srv.Intake.List(t.Context(), actorOf(o.sam), shieldwall.ReportFilter{})
		if err != nil || len(reps) != 1 {
			t.Fatalf("List = %d reports, %v; want 1", len(reps), err)
		}
		rep := reps[0]
		if !rep.Anonymous || rep.ReporterID != "" || rep.DepartmentID != "" || rep.Source != shieldwall.SourceAnonymous {
			t.Fatalf("anonymous report = %+v; want no reporter, no department", rep)
		}
		if _, err := a.srv.Intake.Reply(t.Context(), actorOf(o.sam), rep.ID, "Did you type your password on that page?"); err != nil {
			t.Fatal(err)
		}

		t.Run("FollowUpLowerCase", func(t *testing.T) {
			page := c.get("/anonymous/follow-up")
			wantAnonymous(t, page)
			r := c.postForm("/anonymous/follow-up", "/anonymous/follow-up", url.Values{"receipt": {strings.ToLower(strings.ReplaceAll(receipt, "-", " "))}})
			wantStatus(t, r, http.StatusOK)
			wantAnonymous(t, r)
			wantBody(t, r, "I clicked a link", "Being looked at", "Did you type your password on that page?", "Security team",
				`action="/anonymous/messages"`, "No answer yet")
		})

		var notFound string
		t.Run("ErrWrongReceipt", func(t *testing.T) {
			wrong := "0000-0000-0000-0000-0000-0000-0000-0000"
			r := c.postForm("/anonymous/follow-up", "/anonymous/follow-up", url.Values{"receipt": {wrong}})
			wantStatus(t, r, http.StatusNotFound)
			notFound = fieldError(r.body, "receipt")
			if notFound == "" {
				t.Fatal("no error beside the receipt")
			}
			wantBody(t, r, `value="`+wrong+`"`)
			wantNoBody(t, r, "I clicked a link")
			for _, bad := range []string{"not-a-receipt", receipt[:len(receipt)-1] + "Z"} {
				if bad == receipt {
					continue
				}
				r := c.postForm("/anonymous/follow-up", "/anonymous/follow-up", url.Values{"receipt": {bad}})
				wantStatus(t, r, http.StatusNotFound)
				if msg := fieldError(r.body, "receipt"); msg != notFound {
					t.Errorf("receipt %q: %q; want the same words as for any wrong receipt, %q", bad, msg, notFound)
				}
			}
		})

		t.Run("Reply", func(t *testing.T) {
			r := c.postForm("/anonymous/follow-up", "/anonymous/messages", url.Values{"receipt": {receipt}, "message": {" "}})
			wantStatus(t, r, http.StatusBadRequest)
			if fieldError(r.body, "message") == "" {
				t.Error("no error beside the empty message")
			}
			r = c.postForm("/anonymous/follow-up", "/anonymous/messages", url.Values{"receipt": {receipt}, "message": {"No, I closed it at once."}})
			wantStatus(t, r, http.StatusOK)
			wantAnonymous(t, r)
			wantBody(t, r, "Your message was sent.", "No, I closed it at once.", "Did you type your password on that page?")
			full, err := a.srv.Intake.Get(t.Context(), actorOf(o.sam), rep.ID)
			if err != nil || len(full.Messages) != 2 || full.Messages[1].Author != "reporter" || full.Messages[1].AuthorID != "" {
				t.Errorf("messages = %+v, %v; want the anonymous reply last, without an author", full.Messages, err)
			}
			r = c.postForm("/anonymous/follow-up", "/anonymous/messages", url.Values{"receipt": {"0000-0000-0000-0000-0000-0000-0000-0000"}, "message": {"Hi"}})
			wantStatus(t, r, http.StatusNotFound)
			if msg := fieldError(r.body, "receipt"); msg != notFound {
				t.Errorf("wrong receipt on a reply: %q; want %q", msg, notFound)
			}
		})

		t.Run("SignedInChoosesAnonymity", func(t *testing.T) {
			alice := a.signedIn("alice@example.com")
			r := alice.postForm("/report", "/report", url.Values{"kind": {"mistake"}, "title": {"Sent payroll to the wrong Tom"}, "anonymous": {"on"}})
			wantStatus(t, r, http.StatusCreated)
			wantAnonymous(t, r)
			if receiptRE.FindStringSubmatch(r.body) == nil {
				t.Fatal("no receipt for a report the reporter asked to keep anonymous")
			}
			wantNoBody(t, alice.get("/reports/mine"), "Sent payroll to the wrong Tom")
			reps, _, err := a.srv.Intake.List(t.Context(), actorOf(o.sam), shieldwall.ReportFilter{Kind: shieldwall.KindMistake})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range reps {
				if r.Title == "Sent payroll to the wrong Tom" {
					found = true
					if r.ReporterID != "" || r.DepartmentID != "" || !r.Anonymous {
						t.Errorf("the report kept its reporter: %+v", r)
					}
				}
			}
			if !found {
				t.Error("the security team cannot find the anonymous report")
			}
			// A signed-in browser gets no new cookie on the anonymous page.
			wantAnonymous(t, alice.get("/anonymous"))
		})
	})
}

func TestTriageQueue(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		a.mustReport(o.alice, shieldwall.ReportInput{Kind: shieldwall.KindLostDevice, Title: "Lost my laptop on the train"})
		a.mustReport(o.carol, shieldwall.ReportInput{Kind: shieldwall.KindShadowIT, Title: "Team uses a free PDF site"})
		if _, _, err := a.srv.Intake.SubmitAnonymous(t.Context(), "test", shieldwall.ReportInput{Kind: shieldwall.KindMistake, Title: "Clicked a bad link"}, nil); err != nil {
			t.Fatal(err)
		}

		t.Run("ErrMember", func(t *testing.T) {
			c := a.signedIn("alice@example.com")
			r := c.get("/triage")
			wantStatus(t, r, http.StatusForbidden)
			wantNoBody(t, c.get("/"), `href="/triage"`)
		})

		t.Run("ChampionSeesOwnDepartment", func(t *testing.T) {
			c := a.signedIn("bob@example.com")
			r := c.get("/triage")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "Lost my laptop on the train", "You see the reports from Finance")
			wantNoBody(t, r, "Team uses a free PDF site", "Clicked a bad link", "Campaigns waiting", `name="department"`)
		})

		t.Run("SecuritySeesAll", func(t *testing.T) {
			c := a.signedIn("sam@example.com")
			r := c.get("/triage")
			wantBody(t, r, "Lost my laptop on the train", "Team uses a free PDF site", "Clicked a bad link", "Anonymous", "Campaigns waiting for a decision")
			r = c.get("/triage?department=legal")
			wantBody(t, r, "Team uses a free PDF site", `<option value="legal" selected>Legal</option>`)
			wantNoBody(t, r, "Lost my laptop on the train")
			r = c.get("/triage?kind=lost-device&status=new")
			wantBody(t, r, "Lost my laptop on the train", `<option value="lost-device" selected>`, `<option value="new" selected>`)
			wantNoBody(t, r, "Team uses a free PDF site")
			wantBody(t, c.get("/triage?status=closed"), "No report matches these filters.")
			wantStatus(t, c.get("/triage?status=bogus"), http.StatusBadRequest)
			r = c.get("/triage?limit=1")
			wantBody(t, r, "Showing 1–1 of 3", `href="/triage?limit=1&amp;offset=1"`)
		})
	})
}

func TestReportTriage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		rep := a.mustReport(o.alice, shieldwall.ReportInput{Kind: shieldwall.KindLostDevice, Title: "Lost my laptop on the train"})
		other := a.mustReport(o.carol, shieldwall.ReportInput{Kind: shieldwall.KindOther, Title: "Something odd"})
		page := "/reports/" + rep.ID
		bob := a.signedIn("bob@example.com")

		t.Run("AnalystView", func(t *testing.T) {
			r := bob.get(page)
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "Triage", "Alice Example", "Finance", `action="/reports/`+rep.ID+`/triage"`, "Ask the reporter a question",
				"Sam Secure (Security team)", "Bob Builder (Security champion, Finance)")
			// Another department's report does not exist for the champion.
			wantStatus(t, bob.get("/reports/"+other.ID), http.StatusNotFound)
			wantStatus(t, bob.postForm(page, "/reports/"+other.ID+"/triage", url.Values{"status": {"closed"}}), http.StatusNotFound)
		})

		t.Run("ErrFieldsBesideThemselves", func(t *testing.T) {
			r := bob.postForm(page, page+"/triage", url.Values{"status": {"triaging"}, "duplicate_of": {rep.ID}, "resolution": {"Draft answer"}})
			wantStatus(t, r, http.StatusBadRequest)
			if msg := fieldError(r.body, "duplicate_of"); msg != "A report cannot duplicate itself." {
				t.Errorf("duplicate_of error %q", msg)
			}
			wantBody(t, r, ">Draft answer</textarea>", `<option value="triaging" selected>`)
		})

		t.Run("AnswerAndAsk", func(t *testing.T) {
			r := bob.postForm(page, page+"/triage", url.Values{"status": {"resolved"}, "assignee_id": {o.bob.ID},
				"resolution": {"We blocked the laptop remotely. Thank you for telling us so fast."}, "duplicate_of": {""}})
			wantLocation(t, r, page+"?notice=report-updated")
			wantBody(t, bob.get(page+"?notice=report-updated"), "The report was saved.", `<option value="resolved" selected>`)
			r = bob.postForm(page, page+"/messages", url.Values{"body": {"Was the disk encrypted?"}})
			wantLocation(t, r, page+"?notice=message-sent#conversation")

			alice := a.signedIn("alice@example.com")
			mine := alice.get("/reports/mine")
			wantBody(t, mine, "We blocked the laptop remotely. Thank you for telling us so fast.", "Answered", "Was the disk encrypted?", "Security team")
			wantNoBody(t, mine, "Bob Builder")
			own := alice.get(page)
			wantNoBody(t, own, "Ask the reporter", `/triage"`)
			r = alice.postForm(page, page+"/messages", url.Values{"body": {""}})
			wantStatus(t, r, http.StatusBadRequest)
			if fieldError(r.body, "body") == "" {
				t.Error("no error beside the empty message")
			}
			wantLocation(t, alice.postForm(page, page+"/messages", url.Values{"body": {"Yes, BitLocker."}}), page+"?notice=message-sent#conversation")
			wantBody(t, bob.get(page), "Yes, BitLocker.", "Alice Example (reporter)")
			// A member cannot triage, even their own report.
			wantStatus(t, alice.postForm(page, page+"/triage", url.Values{"status": {"closed"}}), http.StatusForbidden)
		})
	})
}

func TestCampaignDecision(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		newOrg(a)
		phish := readPhish(t)
		reporters := []string{"alice@example.com", "carol@example.com", "bob@example.com"}
		for _, email := range reporters {
			c := a.signedIn(email)
			r := c.postMultipart("/report", "/report", url.Values{"kind": {"phishing"}, "title": {"Invoice mail"}}, upload{"attachments", "mail.eml", phish})
			wantLocation(t, r, "/report/sent")
		}
		sec := a.signedIn("sam@example.com")
		queue := sec.get("/triage")
		wantBody(t, queue, "Campaigns waiting for a decision", "3 reports", "acmec0rp.com", "Likely malicious")
		// Its reports are shown as the campaign, not again one by one.
		wantBody(t, queue, "Nothing waits here.")
		m := regexp.MustCompile(`href="/campaigns/([^"]+)"`).FindStringSubmatch(queue.body)
		if m == nil {
			t.Fatal("the queue links no campaign")
		}
		campaign := "/campaigns/" + m[1]

		page := sec.get(campaign)
		wantStatus(t, page, http.StatusOK)
		wantBody(t, page, `<span class="count-number">2</span> Finance`, `<span class="count-number">1</span> Legal`, "First reported",
			"Alice Example", "Carol Counsel", "Waiting for a decision")
		wantStatus(t, a.signedIn("bob@example.com").get(campaign), http.StatusForbidden)

		r := sec.postForm(campaign, campaign+"/decision", url.Values{"note": {"Blocked."}})
		wantStatus(t, r, http.StatusBadRequest)
		if msg := fieldError(r.body, "decision"); msg == "" {
			t.Error("no error beside the decision")
		}
		wantBody(t, r, ">Blocked.</textarea>")

		r = sec.postForm(campaign, campaign+"/decision", url.Values{"decision": {"malicious"}, "note": {"We have blocked the sender."}})
		wantLocation(t, r, campaign+"?answered=3")
		done := sec.get(campaign + "?answered=3")
		wantBody(t, done, "3 reports answered", "Decided: Malicious")
		// Decided, the campaign leaves the queue and its answered reports
		// are listed like any other.
		after := sec.get("/triage")
		wantNoBody(t, after, "3 reports", "Nothing waits here.")
		if n := strings.Count(after.body, ">Invoice mail</a>"); n != 3 {
			t.Errorf("the queue lists %d of the campaign's reports after the decision; want 3", n)
		}

		for _, email := range reporters {
			mine := a.signedIn(email).get("/reports/mine")
			wantBody(t, mine, "Security confirmed this email was a phishing attack", "We have blocked the sender.", "Answered")
		}
	})
}

func TestNewPagesHaveNothingInline(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		rep := a.mustReport(o.alice, shieldwall.ReportInput{Kind: shieldwall.KindPhishing, Title: "Mail", Details: json.RawMessage(`{"pasted_email":"From: x@evil.example\nSubject: hi\n\nhello https://evil.example/"}`)})
		alice, sam := a.signedIn("alice@example.com"), a.signedIn("sam@example.com")
		pages := []*response{alice.get("/report"), alice.get("/report/sent"), alice.get("/reports/mine"), alice.get("/reports/" + rep.ID),
			a.client().get("/anonymous"), a.client().get("/anonymous/follow-up"), sam.get("/triage"), sam.get("/reports/" + rep.ID)}
		for _, r := range pages {
			wantStatus(t, r, http.StatusOK)
			for _, bad := range []string{"<style", " style=", "<script>", " onclick=", " onchange=", "javascript:"} {
				if strings.Contains(r.body, bad) {
					t.Errorf("%s: page has inline %q", r.Request.URL.Path, bad)
				}
			}
			if strings.Contains(html.UnescapeString(r.body), "{{") {
				t.Errorf("%s: an unrendered template action", r.Request.URL.Path)
			}
		}
	})
}
