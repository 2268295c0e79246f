#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "tap.h"

int main(void)
{
	struct jra_buf b = JRA_BUF_INIT;
	struct jra_error e = JRA_ERROR_INIT;
	char *s;

	ok(jra_buf_addstr(&b, "hello") == 0, "add a string");
	ok(jra_buf_addf(&b, ", %s %d", "world", 42) == 0, "add formatted");
	is_str(jra_buf_str(&b), "hello, world 42", "contents");
	s = jra_buf_take(&b);
	is_str(s, "hello, world 42", "take returns the contents");
	ok(b.buf == NULL && b.len == 0, "take empties the buffer");
	free(s);

	jra_buf_init(&b, 8);
	ok(jra_buf_add(&b, "12345678", 8) == 0, "fill up to the cap");
	ok(jra_buf_addch(&b, '9') == -1, "one byte past the cap is refused");
	ok(b.len == 8 && strcmp(b.buf, "12345678") == 0, "refused add leaves it unchanged");
	jra_buf_release(&b);

	ok(jra_error(&e, JRA_ERR_TEMP, "timeout after %d s", 30) == JRA_ERR_TEMP,
	   "jra_error returns its code");
	ok(jra_exit_code(e.code) == 75, "temporary failure exits 75");
	jra_error_prefix(&e, "GET %s", "/registrar");
	is_str(e.msg, "GET /registrar: timeout after 30 s", "prefix");
	jra_error_prefix(&e, "%s", e.msg);
	is_str(e.msg, "GET /registrar: timeout after 30 s: GET /registrar: timeout after 30 s",
	       "a prefix may quote the message itself");
	memset(e.msg, 'm', sizeof(e.msg) - 1);
	e.msg[sizeof(e.msg) - 1] = '\0';
	jra_error_prefix(&e, "item %d", 7);
	ok(strncmp(e.msg, "item 7: mmm", 11) == 0 && strlen(e.msg) == sizeof(e.msg) - 1,
	   "a message that no longer fits is cut at the end");
	ok(jra_exit_code(JRA_ERR_AUTH) == 77 && jra_exit_code(JRA_ERR_CONFIG) == 78 &&
	   jra_exit_code(JRA_ERR_DATA) == 65 && jra_exit_code(JRA_ERR_UNAVAILABLE) == 69 &&
	   jra_exit_code(JRA_ERR_REFUSED) == 1 && jra_exit_code(0) == 0,
	   "exit codes follow the design");
	return done_testing();
}
