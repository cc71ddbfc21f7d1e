import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/spool/schema.ts',
  out: './drizzle',
});
