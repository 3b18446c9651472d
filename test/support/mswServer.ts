import { setupServer } from "msw/node";

/** The one msw server of a test file. Tests add handlers with `mswServer.use(...)`; they are reset after each test. */
export const mswServer = setupServer();
