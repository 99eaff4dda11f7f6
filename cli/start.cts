// Loads the command line (an ES module with top-level await) once main.cts has checked the Node version.
void import("./cli.js");
