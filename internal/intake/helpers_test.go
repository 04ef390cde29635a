package intake_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// cli is the operator who sets up each test's people.
var cli = shieldwall.SystemActor("test")

// env is the intake service over a real database.
type env struct {
	cfg    store.Config
	st     *store.Store
	acc    *accounts.Service
	intake *intake.Service
}

// each runs fn once per database dialect with a fresh service.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			cfg := testdb.Config(t, d)
			st := openStore(t, cfg)
			e := &env{cfg: cfg, st: st, acc: accounts.New(st), intake: intake.New(st, intake.Config{})}
			t.Cleanup(e.intake.Close)
			fn(t, e)
		})
	}
}

// openStore opens and migrates the database at cfg and closes it when the test ends.
func openStore(t *testing.T, cfg store.Config) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

func mustUser(t *testing.T, acc *accounts.Service, in shieldwall.UserInput) shieldwall.User {
	t.Helper()
	u, err := acc.CreateUser(context.Background(), cli, in, accounts.CreateUserOptions{CreateDepartment: true})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", in.Email, err)
	}
	return u
}

func actorOf(u shieldwall.User) shieldwall.Actor {
	return shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}
}

// row is one database row: its table and its values as text.
type row struct {
	table  string
	values map[string]string
}

func (r row) String() string { return fmt.Sprintf("%s %v", r.table, r.values) }

// dumpAll reads every row of every table as text: strings and bytes as
// they are, numbers, booleans and times formatted.
func dumpAll(t *testing.T, db *sql.DB, postgres bool) []row {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("found only tables %v; the scan would prove nothing", tables)
	}
	var out []row
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("scan %s: %v", table, err)
			}
			r := row{table: table, values: map[string]string{}}
			for i, c := range cols {
				switch v := vals[i].(type) {
				case nil:
					r.values[c] = ""
				case []byte:
					r.values[c] = string(v)
				case string:
					r.values[c] = v
				case time.Time:
					r.values[c] = v.UTC().Format(time.RFC3339Nano)
				default:
					r.values[c] = fmt.Sprint(v)
				}
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		rows.Close()
	}
	return out
}

// mentions reports whether any value of r equals or contains one of ids.
func (r row) mentions(ids ...string) bool {
	for _, v := range r.values {
		for _, id := range ids {
			if strings.Contains(v, id) {
				return true
			}
		}
	}
	return false
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer = testdb.LogBuffer
