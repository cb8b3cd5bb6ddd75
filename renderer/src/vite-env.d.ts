/// <reference types="vite/client" />
// import.meta.env (DEV: a development build, where developer-only hints may show).
