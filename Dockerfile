# One image for the Python services; docker-compose picks the process per service.
FROM python:3.11-slim
ARG OFFICE=0
# OFFICE=1 (the reporting worker): LibreOffice kept warm through python3-uno, CJK fonts, and the Fandol
# faces of the four official styles (unpacked from Debian's texlive-lang-chinese, as infra/lib.sh does).
RUN if [ "$OFFICE" = "1" ]; then apt-get update && apt-get install -y --no-install-recommends \
      libreoffice-writer-nogui python3-uno fonts-noto-cjk fontconfig \
    && cd /tmp && apt-get download texlive-lang-chinese && mkdir -p /usr/local/share/fonts/fandol \
    && dpkg-deb --fsys-tarfile texlive-lang-chinese_*.deb | tar -x -C /tmp --wildcards \
         './usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol[FHKS]*' './usr/share/doc/texlive-doc/fonts/fandol/*' \
    && cp /tmp/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/*.otf /tmp/usr/share/doc/texlive-doc/fonts/fandol/* \
         /usr/local/share/fonts/fandol/ \
    && fc-cache -f && rm -rf /tmp/usr /tmp/*.deb /var/lib/apt/lists/*; fi
WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY services ./services
RUN pip install --no-cache-dir --no-deps -e .
ENV PYTHONUNBUFFERED=1
