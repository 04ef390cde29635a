package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/delivery"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/store"
)

// TestDeliverySurvivesOutageAndRestarts is the fault test of delivery: the
// webhook receiver and the mail server are down while 200 notifications
// are caused, the Shieldwall process is restarted twice (once with kill -9),
// and when the receivers come back every message arrives at least once,
// with a valid signature.
func TestDeliverySurvivesOutageAndRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and restarts the binary")
	}
	each(t, func(t *testing.T, db database) {
		st := db.open(t)
		if _, err := st.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		users := faultPeople(t, st)
		raw := db.raw(t)
		hookAddr, mailAddr := freeAddr(t), freeAddr(t)
		hook, err := notify.NewWebhooks(st).Create(t.Context(), shieldwall.Actor{System: true}, shieldwall.WebhookInput{
			URL: "http://" + hookAddr + "/hook", MinUrgency: shieldwall.UrgencyLow})
		if err != nil {
			t.Fatal(err)
		}
		_, mailPort, _ := strings.Cut(mailAddr, ":")
		flags := []string{"--smtp-out-host", "127.0.0.1", "--smtp-out-port", mailPort, "--smtp-out-tls", "none", "--smtp-out-from", "shieldwall@example.com",
			"--delivery-retry-base", "50ms", "--delivery-retry-max", "400ms", "--delivery-lease", "5s", "--delivery-max-attempts", "100000",
			"--public-url", "https://shieldwall.example.com"}

		cause := func(from, to int) {
			for i := from; i < to; i++ {
				n := shieldwall.Notification{UserID: users[i%len(users)], Urgency: shieldwall.UrgencyNormal, Kind: shieldwall.NotifyReportAnswered,
					Title: fmt.Sprintf("Notification %d", i), Link: fmt.Sprintf("/reports/%d", i)}
				if err := st.InTx(t.Context(), func(tx *store.Tx) error { return tx.AddNotification(t.Context(), &n) }); err != nil {
					t.Fatalf("notification %d: %v", i, err)
				}
			}
		}
		// tried waits until the running process has failed at least one attempt on every delivery so far.
		tried := func() {
			t.Helper()
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				var untried int
				raw.QueryRow("SELECT COUNT(*) FROM deliveries WHERE attempts = 0").Scan(&untried)
				if untried == 0 {
					return
				}
			}
			t.Fatal("the worker did not try every delivery within 30 s")
		}

		p1 := serve(t, db, flags...)
		cause(0, 70)
		tried()
		p1.cmd.Process.Signal(syscall.SIGTERM)
		if err := <-p1.done; err != nil {
			t.Fatalf("graceful stop: %v\n%s", err, p1.stderr.String())
		}

		p2 := serve(t, db, flags...)
		cause(70, 140)
		tried()
		p2.cmd.Process.Kill() // kill -9: leases held now are simply abandoned
		<-p2.done
		cause(140, 200)

		p3 := serve(t, db, flags...)
		rcv := startHookReceiver(t, hookAddr, hook.Secret)
		mail := startMailbox(t, mailAddr)

		all, _, err := st.ListDeliveries(t.Context(), shieldwall.DeliveryFilter{Page: shieldwall.Page{Limit: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 400 {
			t.Fatalf("deliveries = %d; want 400 (an email and a webhook for each of 200 notifications)", len(all))
		}
		deadline := time.Now().Add(90 * time.Second)
		for {
			var left int
			raw.QueryRow("SELECT COUNT(*) FROM deliveries WHERE status <> 'delivered'").Scan(&left)
			if left == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d deliveries not delivered 90 s after the receivers came back\n%s", left, p3.stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
		hooks, mails := rcv.ids(), mail.ids()
		dups := 0
		for _, d := range all {
			id := notify.MessageID(d.ID)
			got := hooks[id]
			if d.Channel == shieldwall.ChannelEmail {
				got = mails["<"+id+"@shieldwall>"]
			}
			if got == 0 {
				t.Errorf("%s delivery %s never arrived", d.Channel, id)
			}
			dups += max(got-1, 0)
		}
		if bad := rcv.badSignatures(); bad != 0 {
			t.Errorf("%d webhook requests had no valid signature", bad)
		}
		if len(hooks) != 200 || len(mails) != 200 {
			t.Errorf("distinct ids received: %d webhooks, %d emails; want 200 each", len(hooks), len(mails))
		}
		// Both restarts happened while the receivers were down, so nothing
		// was in flight at a kill: no receiver may have seen an id twice.
		if dups != 0 {
			t.Errorf("%d duplicates after restarts with the receivers down; want 0", dups)
		}
		t.Logf("%s: outage and restarts: 400 messages, %d duplicates", db.dialect, dups)

		// Two replicas deliver side by side while the receivers are up (and
		// slow); one is killed with messages in flight. The other takes its
		// leases over when they expire: still every message, each id at least once.
		rcv.setDelay(5 * time.Millisecond)
		p4 := serve(t, db, flags...)
		before := len(rcv.ids())
		cause(200, 400)
		for deadline := time.Now().Add(30 * time.Second); len(rcv.ids()) < before+50; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the replicas delivered fewer than 50 webhook messages in 30 s")
			}
		}
		p4.cmd.Process.Kill()
		<-p4.done
		deadline = time.Now().Add(90 * time.Second)
		for {
			var left int
			raw.QueryRow("SELECT COUNT(*) FROM deliveries WHERE status <> 'delivered'").Scan(&left)
			if left == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d deliveries not delivered 90 s after a replica was killed\n%s", left, p3.stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
		all, _, err = st.ListDeliveries(t.Context(), shieldwall.DeliveryFilter{Page: shieldwall.Page{Limit: 1000}})
		if err != nil || len(all) != 800 {
			t.Fatalf("deliveries = %d, %v; want 800", len(all), err)
		}
		hooks, mails = rcv.ids(), mail.ids()
		dups = 0
		for _, d := range all {
			id := notify.MessageID(d.ID)
			got := hooks[id]
			if d.Channel == shieldwall.ChannelEmail {
				got = mails["<"+id+"@shieldwall>"]
			}
			if got == 0 {
				t.Errorf("%s delivery %s never arrived", d.Channel, id)
			}
			dups += max(got-1, 0)
		}
		if bad := rcv.badSignatures(); bad != 0 {
			t.Errorf("%d webhook requests had no valid signature", bad)
		}
		t.Logf("%s: two replicas, one killed mid-flow: 800 messages in all, %d duplicates", db.dialect, dups)
		p3.cmd.Process.Signal(syscall.SIGTERM)
		<-p3.done
	})
}

func faultPeople(t *testing.T, st *store.Store) []string {
	t.Helper()
	var ids []string
	err := st.InTx(t.Context(), func(tx *store.Tx) error {
		d := shieldwall.Department{ID: store.NewID(), Name: "Ops", Slug: "ops", CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if err := tx.CreateDepartment(t.Context(), &d); err != nil {
			return err
		}
		for i := range 5 {
			u := shieldwall.User{ID: store.NewID(), Email: fmt.Sprintf("p%d@example.com", i), Name: fmt.Sprintf("Person %d", i),
				Role: shieldwall.RoleSecurity, DepartmentID: d.ID, Active: true, CreatedAt: tx.Now, UpdatedAt: tx.Now}
			if err := tx.CreateUser(t.Context(), &u, ""); err != nil {
				return err
			}
			ids = append(ids, u.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// freeAddr reserves a loopback port and frees it for a receiver that starts later.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// hookReceiver counts the webhook ids it got and checks every signature.
type hookReceiver struct {
	mu    sync.Mutex
	seen  map[string]int
	bad   int
	delay time.Duration
}

func (r *hookReceiver) setDelay(d time.Duration) {
	r.mu.Lock()
	r.delay = d
	r.mu.Unlock()
}

func startHookReceiver(t *testing.T, addr, secret string) *hookReceiver {
	t.Helper()
	r := &hookReceiver{seen: map[string]int{}}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		err := delivery.Verify(secret, req.Header, body, time.Now(), 0)
		r.mu.Lock()
		delay := r.delay
		r.mu.Unlock()
		time.Sleep(delay) // a slow receiver keeps messages in flight
		r.mu.Lock()
		if err != nil {
			r.bad++
		} else {
			r.seen[req.Header.Get("webhook-id")]++
		}
		r.mu.Unlock()
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *hookReceiver) ids() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.seen {
		out[k] = v
	}
	return out
}

func (r *hookReceiver) badSignatures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bad
}

// faultMailbox is a go-smtp server counting Message-IDs.
type faultMailbox struct {
	mu   sync.Mutex
	seen map[string]int
}

func startMailbox(t *testing.T, addr string) *faultMailbox {
	t.Helper()
	m := &faultMailbox{seen: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &faultSession{m: m}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m
}

func (m *faultMailbox) ids() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for k, v := range m.seen {
		out[k] = v
	}
	return out
}

type faultSession struct{ m *faultMailbox }

func (s *faultSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *faultSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *faultSession) Reset()                               {}
func (s *faultSession) Logout() error                        { return nil }
func (s *faultSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	head, _, _ := bytes.Cut(b, []byte("\r\n\r\n"))
	for _, line := range strings.Split(string(head), "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Message-ID") {
			s.m.mu.Lock()
			s.m.seen[strings.TrimSpace(v)]++
			s.m.mu.Unlock()
		}
	}
	return nil
}
