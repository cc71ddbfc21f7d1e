/*
 * relay-service.exe: the Windows service around relay.exe.
 *
 * A Bun binary cannot answer the Service Control Manager itself (Bun issue
 * #25824): StartServiceCtrlDispatcherW blocks the thread it runs on, and on
 * Bun's main thread the SCM gives up with error 1053. This small program is
 * what the SCM starts instead. It runs the relay as a child and:
 *  - restarts it when it exits by itself (a crash), after 1 s, doubling to
 *    30 s while it keeps failing within a minute of its start;
 *  - stops it gracefully on SERVICE_CONTROL_STOP / SHUTDOWN by closing the
 *    child's standard input: `relay serve --service` stops on that end of
 *    file exactly as on Ctrl-C (the write batch, the in-flight delivery). A
 *    pipe rather than a console Ctrl-C event: one arriving before the child
 *    has installed its handler kills it, and a wrapper that dies closes the
 *    pipe too, so a relay is never left running without its service;
 *  - sends the child's standard output and error, with its own lines, to
 *    WORKDIR\relay-service.log (renamed to .1 past 10 MB at each start).
 *
 * Command line, as `relay service install` registers it:
 *   relay-service.exe WORKDIR PROGRAM [ARGS...]
 * Built by scripts/build.ts with Debian's mingw-w64 and embedded in relay.exe,
 * which writes it beside itself on install (the product stays one file).
 */
#define WIN32_LEAN_AND_MEAN
#ifndef UNICODE
#define UNICODE
#endif
#define _UNICODE
#include <windows.h>
#include <shellapi.h>
#include <stdarg.h>
#include <stdio.h>
#include <wchar.h>

#define STOP_TIMEOUT_MS 120000 /* the relay's own stop is bounded well below this */
#define LOG_LIMIT (10LL * 1024 * 1024)

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event;
static HANDLE log_file = INVALID_HANDLE_VALUE;
static CRITICAL_SECTION log_lock;

static void set_state(DWORD state, DWORD exit_code, DWORD wait_hint) {
  status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  status.dwCurrentState = state;
  status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  status.dwWin32ExitCode = exit_code;
  status.dwWaitHint = wait_hint;
  status.dwCheckPoint = (state == SERVICE_RUNNING || state == SERVICE_STOPPED) ? 0 : status.dwCheckPoint + 1;
  SetServiceStatus(status_handle, &status);
}

/* One line "<UTC time> relay-service: <text>" appended to the log (UTF-8). */
static void say(const wchar_t *fmt, ...) {
  wchar_t text[1024];
  va_list ap;
  va_start(ap, fmt);
  _vsnwprintf(text, 1023, fmt, ap);
  va_end(ap);
  text[1023] = 0;
  SYSTEMTIME t;
  GetSystemTime(&t);
  wchar_t line[1200];
  int n = _snwprintf(line, 1199, L"%04u-%02u-%02uT%02u:%02u:%02uZ relay-service: %ls\r\n", t.wYear, t.wMonth,
                     t.wDay, t.wHour, t.wMinute, t.wSecond, text);
  if (n < 0) n = 1199;
  char utf8[3600];
  int len = WideCharToMultiByte(CP_UTF8, 0, line, n, utf8, sizeof utf8, NULL, NULL);
  EnterCriticalSection(&log_lock);
  DWORD written;
  if (log_file != INVALID_HANDLE_VALUE && len > 0) WriteFile(log_file, utf8, (DWORD)len, &written, NULL);
  LeaveCriticalSection(&log_lock);
}

static const wchar_t *workdir;
static wchar_t log_path[MAX_PATH * 2];

/* Opened for appending and inheritable: the child writes to the same handle. */
static void open_log(void) {
  EnterCriticalSection(&log_lock);
  if (log_file != INVALID_HANDLE_VALUE) CloseHandle(log_file);
  WIN32_FILE_ATTRIBUTE_DATA a;
  if (GetFileAttributesExW(log_path, GetFileExInfoStandard, &a) &&
      (((LONGLONG)a.nFileSizeHigh << 32) | a.nFileSizeLow) > LOG_LIMIT) {
    wchar_t old[MAX_PATH * 2 + 4];
    _snwprintf(old, MAX_PATH * 2 + 3, L"%ls.1", log_path);
    MoveFileExW(log_path, old, MOVEFILE_REPLACE_EXISTING);
  }
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  log_file = CreateFileW(log_path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa,
                         OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  LeaveCriticalSection(&log_lock);
}

/* One argument quoted as CommandLineToArgvW reads it back (src/cli/service/windows.ts windowsArg). */
static void append_arg(wchar_t *out, size_t cap, const wchar_t *arg) {
  size_t n = wcslen(out);
  if (n) out[n++] = L' ';
  if (*arg && !wcspbrk(arg, L" \t\n\v\"")) {
    _snwprintf(out + n, cap - n - 1, L"%ls", arg);
    return;
  }
  out[n++] = L'"';
  for (const wchar_t *p = arg;; p++) {
    size_t backslashes = 0;
    while (*p == L'\\') p++, backslashes++;
    if (n + backslashes * 2 + 3 >= cap) break;
    if (!*p) {
      for (size_t i = 0; i < backslashes * 2; i++) out[n++] = L'\\';
      break;
    }
    if (*p == L'"') {
      for (size_t i = 0; i < backslashes * 2 + 1; i++) out[n++] = L'\\';
    } else {
      for (size_t i = 0; i < backslashes; i++) out[n++] = L'\\';
    }
    out[n++] = *p;
  }
  out[n++] = L'"';
  out[n] = 0;
}

static wchar_t child_cmdline[32768];

typedef struct {
  HANDLE process;
  HANDLE stdin_write;
  DWORD pid;
} Child;

static BOOL start_child(Child *c) {
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  HANDLE read_end, write_end;
  if (!CreatePipe(&read_end, &write_end, &sa, 0)) return FALSE;
  SetHandleInformation(write_end, HANDLE_FLAG_INHERIT, 0); /* only the child's end is inherited */
  open_log();
  STARTUPINFOW si;
  ZeroMemory(&si, sizeof si);
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = read_end;
  si.hStdOutput = log_file;
  si.hStdError = log_file;
  PROCESS_INFORMATION pi;
  wchar_t cmd[32768];
  wcscpy(cmd, child_cmdline); /* CreateProcessW may write into its command line */
  BOOL ok = CreateProcessW(NULL, cmd, NULL, NULL, TRUE, CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT, NULL, workdir,
                           &si, &pi);
  DWORD err = GetLastError();
  CloseHandle(read_end);
  if (!ok) {
    CloseHandle(write_end);
    say(L"cannot start %ls: error %lu", cmd, err);
    return FALSE;
  }
  CloseHandle(pi.hThread);
  c->process = pi.hProcess;
  c->stdin_write = write_end;
  c->pid = pi.dwProcessId;
  say(L"started the relay (pid %lu): %ls", pi.dwProcessId, child_cmdline);
  return TRUE;
}

static DWORD WINAPI control(DWORD code, DWORD type, void *data, void *ctx) {
  (void)type, (void)data, (void)ctx;
  switch (code) {
  case SERVICE_CONTROL_STOP:
  case SERVICE_CONTROL_SHUTDOWN:
    set_state(SERVICE_STOP_PENDING, NO_ERROR, 10000);
    SetEvent(stop_event);
    return NO_ERROR;
  case SERVICE_CONTROL_INTERROGATE:
    return NO_ERROR;
  default:
    return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

/* Closes the child's stdin and waits for it, telling the SCM it is still stopping. */
static void stop_child(Child *c) {
  say(L"stopping the relay (pid %lu)", c->pid);
  CloseHandle(c->stdin_write);
  c->stdin_write = NULL;
  DWORD waited = 0;
  while (WaitForSingleObject(c->process, 1000) == WAIT_TIMEOUT) {
    waited += 1000;
    set_state(SERVICE_STOP_PENDING, NO_ERROR, 10000);
    if (waited >= STOP_TIMEOUT_MS) {
      say(L"the relay did not stop within %lu s; ending it", STOP_TIMEOUT_MS / 1000);
      TerminateProcess(c->process, 1);
      WaitForSingleObject(c->process, 5000);
      break;
    }
  }
  DWORD code = 0;
  GetExitCodeProcess(c->process, &code);
  say(L"the relay stopped (exit code %lu)", code);
  CloseHandle(c->process);
  c->process = NULL;
}

static void WINAPI service_main(DWORD argc, wchar_t **argv) {
  (void)argc, (void)argv;
  status_handle = RegisterServiceCtrlHandlerExW(L"", control, NULL);
  if (!status_handle) return;
  set_state(SERVICE_START_PENDING, NO_ERROR, 5000);
  stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  Child child = {0};
  DWORD backoff = 1000;
  if (!start_child(&child)) {
    set_state(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, 0);
    return;
  }
  set_state(SERVICE_RUNNING, NO_ERROR, 0);
  for (;;) {
    ULONGLONG started = GetTickCount64();
    HANDLE waits[2] = {stop_event, child.process};
    DWORD w = WaitForMultipleObjects(2, waits, FALSE, INFINITE);
    if (w == WAIT_OBJECT_0) {
      stop_child(&child);
      break;
    }
    DWORD code = 0;
    GetExitCodeProcess(child.process, &code);
    CloseHandle(child.process);
    CloseHandle(child.stdin_write);
    child.process = NULL;
    if (GetTickCount64() - started > 60000) backoff = 1000;
    say(L"the relay exited by itself (exit code %lu); starting it again in %lu s", code, backoff / 1000);
    if (WaitForSingleObject(stop_event, backoff) == WAIT_OBJECT_0) break;
    backoff = backoff * 2 > 30000 ? 30000 : backoff * 2;
    while (!start_child(&child)) {
      if (WaitForSingleObject(stop_event, backoff) == WAIT_OBJECT_0) goto stopped;
      backoff = backoff * 2 > 30000 ? 30000 : backoff * 2;
    }
  }
stopped:
  say(L"service stopped");
  set_state(SERVICE_STOPPED, NO_ERROR, 0);
}

int wmain(void) {
  InitializeCriticalSection(&log_lock);
  int argc = 0;
  wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  if (!argv || argc < 3) {
    fwprintf(stderr, L"relay-service.exe WORKDIR PROGRAM [ARGS...]: the relay's Windows service, registered by "
                     L"`relay service install`; not meant to be started by hand\n");
    return 2;
  }
  workdir = argv[1];
  _snwprintf(log_path, MAX_PATH * 2 - 1, L"%ls\\relay-service.log", workdir);
  child_cmdline[0] = 0;
  for (int i = 2; i < argc; i++) append_arg(child_cmdline, sizeof child_cmdline / sizeof *child_cmdline, argv[i]);
  SERVICE_TABLE_ENTRYW table[] = {{L"", service_main}, {NULL, NULL}};
  if (!StartServiceCtrlDispatcherW(table)) {
    DWORD err = GetLastError();
    if (err == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
      fwprintf(stderr, L"relay-service.exe: run by the Service Control Manager only (sc start, or the Services "
                       L"console); to run the relay by hand: relay serve\n");
      return 2;
    }
    fwprintf(stderr, L"relay-service.exe: StartServiceCtrlDispatcherW failed: error %lu\n", err);
    return 1;
  }
  return 0;
}
