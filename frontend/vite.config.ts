/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The SPA calls /api/<service>/api/v1/...; the dev runner (and this dev server) strip the
// /api/<service> prefix and forward to the service. Override targets with GOVWATCH_*_URL.
const targets: Record<string, string> = {
  registry: process.env.GOVWATCH_REGISTRY_URL ?? 'http://127.0.0.1:8001',
  checker: process.env.GOVWATCH_CHECKER_URL ?? 'http://127.0.0.1:8002',
  reporting: process.env.GOVWATCH_REPORTING_URL ?? 'http://127.0.0.1:8003',
}

const proxy = Object.fromEntries(
  Object.entries(targets).map(([service, target]) => [
    `/api/${service}/`,
    {
      target,
      changeOrigin: true,
      rewrite: (path: string) => path.replace(new RegExp(`^/api/${service}`), ''),
    },
  ]),
)

export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: {
          'element-plus': ['element-plus', '@element-plus/icons-vue'],
          echarts: ['echarts'],
          vue: ['vue', 'vue-router', 'pinia'],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/unit/**/*.spec.ts'],
    css: false,
    server: { deps: { inline: ['element-plus'] } },
  },
})
